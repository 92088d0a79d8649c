using System.Net;
using Payments.Api.Tests.Refunds;
using Payments.TestSupport;
using static Payments.Api.Tests.Refunds.RefundApi;

namespace Payments.Api.Tests.OpenApi;

/// <summary>Real responses of the refund operations against the committed document (as <see cref="RealResponsesMatchTheDocumentTests"/>).</summary>
public class RefundResponsesMatchTheDocumentTests(RefundApi refunds) : IClassFixture<RefundApi>
{
    readonly ApiFactory _api = refunds.Api;
    readonly OpenApiContract _contract = OpenApiContract.Committed();
    const string Create = "/payments/{id}/refunds";

    [Fact]
    public async Task Every_operation_answering_well()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1999);

        using var created = await Post(client, payment, Body(500, "Damaged in transit"), "k");
        using var replayed = await Post(client, payment, Body(500, "Damaged in transit"), "k");
        using var whole = await Post(client, payment, Body(currency: "USD"), "k-whole");
        var id = (await PaymentRequests.Json(created)).GetProperty("id").GetString();
        await _api.Sql.Execute($"UPDATE refunds SET status = 'FAILED', failure_reason = 'declined', completed_at = now() WHERE id = '{id}'");
        using var list = await client.GetAsync($"/payments/{payment}/refunds");
        using var one = await client.GetAsync($"/refunds/{id}");
        using var paymentRead = await client.GetAsync($"/payments/{payment}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, whole.StatusCode);
        await _contract.AssertConforms(created, "POST", Create);
        await _contract.AssertConforms(replayed, "POST", Create);
        await _contract.AssertConforms(whole, "POST", Create);
        await _contract.AssertConforms(list, "GET", Create);
        await _contract.AssertConforms(one, "GET", "/refunds/{id}");
        await _contract.AssertConforms(paymentRead, "GET", "/payments/{id}");
    }

    [Fact]
    public async Task Every_operation_refusing()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        var pending = await refunds.Payment(user, 1000, "PENDING");

        using var exceeds = await Post(client, payment, Body(1001), Guid.NewGuid().ToString());
        using var zero = await Post(client, payment, Body(0), Guid.NewGuid().ToString());
        using var currency = await Post(client, payment, Body(1, currency: "EUR"), Guid.NewGuid().ToString());
        using var notRefundable = await Post(client, pending, Body(1), Guid.NewGuid().ToString());
        using var invalid = await PostRaw(client, payment.ToString(), "{\"amount\":\"1\"}", Guid.NewGuid().ToString());
        using var malformed = await PostRaw(client, payment.ToString(), "{", Guid.NewGuid().ToString());
        using var noKey = await Post(client, payment, Body(1), null);
        using var unsupported = await PostRaw(client, payment.ToString(), "{}", "k", "text/plain");
        using var notFound = await Post(client, Guid.NewGuid(), Body(1), Guid.NewGuid().ToString());
        await Post(client, payment, Body(1), "reused");
        using var reused = await Post(client, payment, Body(2), "reused");
        using var listMissing = await client.GetAsync($"/payments/{Guid.NewGuid()}/refunds");
        using var listBadId = await client.GetAsync("/payments/nope/refunds");
        using var oneMissing = await client.GetAsync($"/refunds/{Guid.NewGuid()}");
        using var oneBadId = await client.GetAsync("/refunds/nope");
        using var anonymous = await _api.CreateClient().GetAsync($"/refunds/{Guid.NewGuid()}");

        Assert.Equal((HttpStatusCode)422, exceeds.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, notRefundable.StatusCode);
        foreach (var response in new[] { exceeds, zero, currency, notRefundable, invalid, malformed, noKey, unsupported, notFound, reused })
            await _contract.AssertConforms(response, "POST", Create);
        await _contract.AssertConforms(listMissing, "GET", Create);
        await _contract.AssertConforms(listBadId, "GET", Create);
        await _contract.AssertConforms(oneMissing, "GET", "/refunds/{id}");
        await _contract.AssertConforms(oneBadId, "GET", "/refunds/{id}");
        await _contract.AssertConforms(anonymous, "GET", "/refunds/{id}");
    }
}
