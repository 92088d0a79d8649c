using System.Net;
using System.Text.Json;
using Payments.TestSupport;

namespace Payments.Api.Tests;

public class HealthAndOpenApiTests(SharedApi shared) : IClassFixture<SharedApi>
{
    readonly ApiFactory _api = shared.Api;

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_without_a_token(string path)
    {
        using var client = _api.CreateClient();
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("Healthy", body);
    }

    [Fact]
    public async Task OpenApi_document_is_served_and_documents_POST_payments()
    {
        using var client = _api.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());

        var paths = document.GetProperty("paths").EnumerateObject().ToList();
        var payments = Assert.Single(paths, p => p.Name.TrimEnd('/') == "/payments").Value;
        var post = payments.GetProperty("post");
        Assert.Equal("CreatePayment", post.GetProperty("operationId").GetString());
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _),
            "POST /payments does not document an application/json body");
        var responses = post.GetProperty("responses");
        foreach (var status in new[] { "201", "400", "401", "403", "409", "413", "415", "422" })
            Assert.True(responses.TryGetProperty(status, out _), $"POST /payments does not document {status}");
        Assert.True(payments.TryGetProperty("get", out _), "GET /payments is not documented");
        Assert.Contains(paths, p => p.Name == "/payments/{id}");
    }
}
