using System.Net;
using System.Text.RegularExpressions;
using Payments.TestSupport;

namespace Payments.Api.Tests.OpenApi;

/// <summary>The API reference page (Scalar) at /docs: in Development only, and loading nothing from elsewhere.</summary>
public class ReferencePageTests(SharedApi shared) : IClassFixture<SharedApi>
{
    [Fact]
    public async Task In_Development_docs_serves_the_reference_and_its_scripts_itself()
    {
        await using var api = await ApiFactory.Start(new Dictionary<string, string?> { ["environment"] = "Development" });
        using var client = api.CreateClient();

        using var page = await client.GetAsync("/docs/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var sources = Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("scalar.js", sources);
        Assert.All(sources, s => Assert.False(s.Contains("//", StringComparison.Ordinal), $"the page loads {s} from elsewhere"));
        // Fonts, telemetry and the agent would otherwise come from Scalar's servers.
        Assert.Contains("\"withDefaultFonts\":false", html);
        Assert.Contains("\"telemetry\":false", html);
        Assert.Contains("openapi/v1.json", html);
        foreach (var script in new[] { "/docs/scalar.js", "/docs/scalar.aspnetcore.js" })
        {
            using var response = await client.GetAsync(script);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Elsewhere_there_is_no_reference_page()
    {
        using var client = shared.Api.CreateClient();

        using var response = await client.GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
