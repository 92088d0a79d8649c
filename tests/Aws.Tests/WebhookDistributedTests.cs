using System.Net;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// Distributed mode: the payment saga's transaction on the worker that finishes the payment plans the delivery, and the
/// worker's sender posts it.
/// </summary>
public class WebhookDistributedTests : IAsyncLifetime
{
    string _database = null!;
    DistributedHosts _hosts = null!;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabase();
        var settings = AwsHost.Settings(_database, AwsHost.NewPrefix());
        settings["Webhooks:Delivery:PollInterval"] = "00:00:00.100";
        settings["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8"; // the receiver is on loopback
        _hosts = await DistributedHosts.Start(_database, settings);
        _receiver = await WebhookReceiver.Start();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _hosts.DisposeAsync();
    }

    [Fact]
    public async Task A_payment_outcome_reaches_the_merchant_from_the_worker_that_finished_it()
    {
        var user = Guid.NewGuid();
        var secret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var sql = new Sql(_database);
        await sql.Execute($"""
            INSERT INTO webhook_endpoints (id, user_id, url, event_types, enabled, secret, created_at, updated_at)
            VALUES (gen_random_uuid(), '{user}', '{_receiver.Url}', ARRAY['payment.succeeded', 'payment.failed'], true, '{secret}', now(), now())
            """);

        var created = await PaymentRequests.Post(_hosts.Api.ClientFor(user), PaymentRequests.Body(user), "wh-dist-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();

        var webhook = Assert.Single(await _receiver.WaitFor(1, TimeSpan.FromSeconds(60)));
        webhook.Verify(secret);
        Assert.Equal(OutcomeEventId.For(paymentId).ToString(), webhook.Id);
        await Sql.WaitUntil(async () => await sql.Count("webhook_deliveries", "status = 'succeeded'") == 1, TimeSpan.FromSeconds(10),
            "the delivery recorded as succeeded");
    }
}
