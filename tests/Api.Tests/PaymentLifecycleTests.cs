using System.Net;
using Payments.TestSupport;

namespace Payments.Api.Tests;

public class PaymentLifecycleTests : IAsyncLifetime
{
    ApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await ApiFactory.Start();
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_created_payment_is_pending_at_once_and_reaches_success_with_one_charge()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);

        var response = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1999), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await PaymentRequests.Json(response);
        Assert.Equal("PENDING", created.GetProperty("status").GetString());
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/payments/{id}", response.Headers.Location?.OriginalString);

        string? status = null;
        await Sql.WaitUntil(async () =>
        {
            var current = await PaymentRequests.Json(await client.GetAsync($"/payments/{id}"));
            status = current.GetProperty("status").GetString();
            return status != "PENDING";
        }, TimeSpan.FromSeconds(20), "payment to leave PENDING");

        Assert.Equal("SUCCESS", status);
        var charge = Assert.Single(_api.Ledger.Charges);
        Assert.Equal(id, charge.Charge.PaymentId);
        Assert.Equal(1999, charge.Charge.Amount);
    }

    [Fact]
    public async Task A_declined_payment_fails_with_the_reason_and_no_charge()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);

        var created = await PaymentRequests.Json(await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1051), "decline-1"));
        var id = created.GetProperty("id").GetGuid();

        await Sql.WaitUntil(async () => await _api.Sql.Count("payments", $"id = '{id}' AND status = 'FAILED'") == 1,
            TimeSpan.FromSeconds(20), "payment to fail");

        var failed = await PaymentRequests.Json(await client.GetAsync($"/payments/{id}"));
        Assert.Contains("insufficient funds", failed.GetProperty("failure_reason").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, failed.GetProperty("completed_at").ValueKind);
        Assert.Empty(_api.Ledger.Charges);
    }
}
