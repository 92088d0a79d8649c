using System.Net;
using System.Text.Json;
using Payments.TestSupport;
using Xunit;

namespace Payments.Api.Tests.Refunds;

/// <summary>
/// Refunds end to end in the all-in-one mode: POST /payments/{id}/refunds, the refund saga, the fake gateway's refund and the
/// refund's terminal status and the payment's amount_refunded as GET shows them.
/// </summary>
public class RefundLifecycleTests : IAsyncLifetime
{
    ApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await ApiFactory.Start();
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_partial_refund_and_one_for_the_rest_succeed_at_the_gateway_and_a_refused_one_releases_its_reservation()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1000), Guid.NewGuid().ToString());
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        await Sql.WaitUntil(async () => (await Get(client, $"/payments/{paymentId}")).GetProperty("status").GetString() == "SUCCESS",
            TimeSpan.FromSeconds(20), "the payment to succeed");

        var partial = await Refund(client, paymentId, 400);
        Assert.Equal("SUCCEEDED", await Terminal(client, partial));
        // An amount ending in 51 is refused by the fake card network: the refund fails and its 351 is refundable again.
        var refused = await Refund(client, paymentId, 351);
        Assert.Equal("FAILED", await Terminal(client, refused));
        var rest = await Refund(client, paymentId, 600);
        Assert.Equal("SUCCEEDED", await Terminal(client, rest));

        Assert.Equal(1000, (await Get(client, $"/payments/{paymentId}")).GetProperty("amount_refunded").GetInt64());
        var refunds = _api.Ledger.RefundEntries.Where(e => e.Result.Approved).ToList();
        Assert.Equal(2, refunds.Count);
        Assert.All(refunds, e => Assert.Equal(1, e.Requests));
    }

    static async Task<Guid> Refund(HttpClient client, Guid paymentId, long amount)
    {
        var response = await RefundApi.Post(client, paymentId, RefundApi.Body(amount), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();
    }

    static async Task<string> Terminal(HttpClient client, Guid refundId)
    {
        var status = "PENDING";
        await Sql.WaitUntil(async () =>
        {
            status = (await Get(client, $"/refunds/{refundId}")).GetProperty("status").GetString()!;
            return status != "PENDING";
        }, TimeSpan.FromSeconds(20), "the refund to leave PENDING");
        return status;
    }

    static async Task<JsonElement> Get(HttpClient client, string path) => await PaymentRequests.Json(await client.GetAsync(path));
}
