using System.Net;
using Payments.TestSupport;

namespace Payments.Api.Tests.OpenApi;

/// <summary>Real answers of <c>GET /analytics/daily</c> against the committed document (as <see cref="RealResponsesMatchTheDocumentTests"/>).</summary>
public class AnalyticsResponsesMatchTheDocumentTests(SharedApi shared) : IClassFixture<SharedApi>
{
    const string Path = "/analytics/daily";
    readonly ApiFactory _api = shared.Api;
    readonly OpenApiContract _contract = OpenApiContract.Committed();

    [Fact]
    public async Task Figures_and_refusals_match_the_document()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, 1999), Guid.NewGuid().ToString());
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        await Sql.WaitUntil(async () => await _api.Sql.Count("analytics_payment_outcomes", $"payment_id = '{paymentId}'") == 1,
            TimeSpan.FromSeconds(20), "the outcome to be recorded");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");

        using var figures = await client.GetAsync($"{Path}?from={today}&to={today}");
        using var empty = await client.GetAsync($"{Path}?from=2020-01-01&to=2020-01-31");
        using var invalid = await client.GetAsync($"{Path}?from=2026-03-02&to=2026-03-01");
        using var malformed = await client.GetAsync($"{Path}?from=yesterday");
        using var anonymous = await _api.CreateClient().GetAsync($"{Path}?from={today}&to={today}");

        Assert.Equal(HttpStatusCode.OK, figures.StatusCode);
        Assert.Contains("\"seconds_to_terminal\"", await figures.Content.ReadAsStringAsync());
        await _contract.AssertConforms(figures, "GET", Path);
        await _contract.AssertConforms(empty, "GET", Path);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await _contract.AssertConforms(invalid, "GET", Path);
        await _contract.AssertConforms(malformed, "GET", Path);
        await _contract.AssertConforms(anonymous, "GET", Path);
    }
}
