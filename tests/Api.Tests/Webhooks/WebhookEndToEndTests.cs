using System.Net;
using System.Text.Json;
using Payments.Api.Tests.Refunds;
using Payments.Processing.Webhooks;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>All-in-one: a payment's outcome reaches its owner's endpoint as one signed Standard Webhooks request.</summary>
public class WebhookEndToEndTests : IAsyncLifetime
{
    WebhookHost _host = null!;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _host = await WebhookHost.Start();
        _receiver = await WebhookReceiver.Start();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_payment_outcome_arrives_once_signed_with_the_outcome_event_id_as_webhook_id()
    {
        var user = Guid.NewGuid();
        var secret = WebhookHost.NewSecret();
        await _host.InsertEndpoint(user, _receiver.Url, secret);
        // Another merchant's endpoint hears nothing of this payment.
        await using var other = await WebhookReceiver.Start();
        await _host.InsertEndpoint(Guid.NewGuid(), other.Url, WebhookHost.NewSecret());

        var created = await PaymentRequests.Post(_host.Api.ClientFor(user), PaymentRequests.Body(user, amount: 4200), "wh-e2e-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();

        var webhook = Assert.Single(await _receiver.WaitFor(1));
        webhook.Verify(secret);
        Assert.Equal(OutcomeEventId.For(paymentId).ToString(), webhook.Id);
        Assert.Single(webhook.Signatures);
        Assert.StartsWith("application/json", webhook.Headers.ContentType.ToString());
        Assert.StartsWith("Payments-Webhooks/", webhook.Headers.UserAgent.ToString());

        using var body = JsonDocument.Parse(webhook.Body);
        var status = body.RootElement.GetProperty("data").GetProperty("status").GetString();
        Assert.Equal(status == "SUCCESS" ? "payment.succeeded" : "payment.failed", body.RootElement.GetProperty("type").GetString());
        Assert.True(body.RootElement.TryGetProperty("created_at", out _));
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(paymentId, data.GetProperty("id").GetGuid());
        Assert.Equal(4200, data.GetProperty("amount").GetInt64());
        Assert.Equal("USD", data.GetProperty("currency").GetString());
        Assert.True(data.TryGetProperty("completed_at", out _));

        await Sql.WaitUntil(async () => await _host.Sql.Count("webhook_deliveries", "status = 'succeeded' AND delivered_at IS NOT NULL") == 1,
            TimeSpan.FromSeconds(10), "the delivery to be recorded as succeeded");
        Assert.Empty(other.Received);
    }

    [Fact]
    public async Task A_refund_outcome_arrives_as_refund_succeeded_only_at_endpoints_subscribed_to_it()
    {
        var user = Guid.NewGuid();
        var secret = WebhookHost.NewSecret();
        await _host.InsertEndpoint(user, _receiver.Url, secret, [WebhookEventTypes.RefundSucceeded, WebhookEventTypes.RefundFailed]);
        await using var paymentsOnly = await WebhookReceiver.Start();
        await _host.InsertEndpoint(user, paymentsOnly.Url, WebhookHost.NewSecret(), [WebhookEventTypes.PaymentSucceeded]);
        var created = await PaymentRequests.Post(_host.Api.ClientFor(user), PaymentRequests.Body(user, amount: 5000), "wh-refund-1");
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        await paymentsOnly.WaitFor(1);

        // A refund through the API; the refund saga's transaction that finishes it plans the webhook.
        using var refunded = await RefundApi.Post(_host.Api.ClientFor(user), paymentId, RefundApi.Body(1200, "damaged"), "wh-refund-1-refund");
        Assert.Equal(HttpStatusCode.Created, refunded.StatusCode);
        var refundId = (await PaymentRequests.Json(refunded)).GetProperty("id").GetGuid();
        var eventId = OutcomeEventId.For(refundId);

        var webhook = Assert.Single(await _receiver.WaitFor(1));
        webhook.Verify(secret);
        Assert.Equal(eventId.ToString(), webhook.Id);
        using var body = JsonDocument.Parse(webhook.Body);
        Assert.Equal("refund.succeeded", body.RootElement.GetProperty("type").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(refundId, data.GetProperty("id").GetGuid());
        Assert.Equal(paymentId, data.GetProperty("payment_id").GetGuid());
        Assert.Equal((1200, "USD", "SUCCEEDED", "damaged"), (data.GetProperty("amount").GetInt64(), data.GetProperty("currency").GetString(),
            data.GetProperty("status").GetString(), data.GetProperty("reason").GetString()));
        Assert.False(string.IsNullOrEmpty(data.GetProperty("gateway_refund_id").GetString()));

        await Sql.WaitUntil(async () => await _host.Sql.Count("webhook_deliveries", $"event_id = '{eventId}' AND status = 'succeeded'") == 1,
            TimeSpan.FromSeconds(10), "the refund's delivery to be recorded as succeeded");
        Assert.Single(paymentsOnly.Received);
    }
}
