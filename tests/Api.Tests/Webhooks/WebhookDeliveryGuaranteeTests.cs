using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Processing.Webhooks;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>One delivery per (event, endpoint), only a 2xx counts, and a crashed attempt is tried again.</summary>
public class WebhookDeliveryGuaranteeTests : IAsyncLifetime
{
    readonly FakeTimeProvider _time = WebhookHost.NewClock();
    WebhookHost _host = null!;

    public async Task InitializeAsync() => _host = await WebhookHost.Start(_time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_completion_run_again_after_a_2xx_sends_nothing_again()
    {
        await using var receiver = await WebhookReceiver.Start();
        var user = Guid.NewGuid();
        await _host.InsertEndpoint(user, receiver.Url, WebhookHost.NewSecret());
        var created = await PaymentRequests.Post(_host.Api.ClientFor(user), PaymentRequests.Body(user), "wh-once-1");
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        await Sql.WaitUntil(async () => await _host.Sql.Count("webhook_deliveries") == 1, TimeSpan.FromSeconds(20), "the outcome's delivery");
        Assert.Equal(1, await _host.DeliverDue());
        Assert.Single(receiver.Received);

        // The saga's completion again, as a redelivered or retried terminal transition would run it: twice, committed.
        var eventId = OutcomeEventId.For(paymentId);
        for (var i = 0; i < 2; i++)
        {
            await using var scope = _host.Api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            var saga = await db.PaymentSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == paymentId);
            await using var transaction = await db.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<IPaymentCompletion>().Complete(saga, PaymentStatus.Success, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(0, await _host.DeliverDue());
        Assert.Equal(1, await _host.Sql.Count("webhook_deliveries"));
        Assert.Single(receiver.Received);
        Assert.Equal(eventId.ToString(), receiver.Received[0].Id);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    public async Task A_redirect_is_a_failure_and_is_not_followed(int status)
    {
        await using var target = await WebhookReceiver.Start();
        await using var receiver = await WebhookReceiver.Start((context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = new Uri(target.Url, "/internal").ToString();
            return Task.CompletedTask;
        });
        var endpoint = await _host.InsertEndpoint(Guid.NewGuid(), receiver.Url, WebhookHost.NewSecret());
        var delivery = await _host.InsertDelivery(endpoint, _time.GetUtcNow());

        Assert.Equal(1, await _host.DeliverDue());

        var row = await _host.Delivery(delivery);
        Assert.Equal(("pending", 1, status), (row.Status, row.Attempts, row.LastResponseCode));
        Assert.Null(row.DeliveredAt);
        Assert.Single(receiver.Received);
        Assert.Empty(target.Received);
    }

    [Fact]
    public async Task A_delivery_whose_sender_died_mid_attempt_is_sent_again_when_its_lease_runs_out()
    {
        await using var receiver = await WebhookReceiver.Start();
        var endpoint = await _host.InsertEndpoint(Guid.NewGuid(), receiver.Url, WebhookHost.NewSecret());
        var delivery = await _host.InsertDelivery(endpoint, _time.GetUtcNow());
        var lease = TimeSpan.FromSeconds(45);

        // A sender claims it and dies before recording anything.
        await using (var scope = _host.Api.Services.CreateAsyncScope())
        {
            var claimed = await scope.ServiceProvider.GetRequiredService<IWebhookDeliveryStore>()
                .Claim(_time.GetUtcNow(), _time.GetUtcNow() + lease, maxPerEndpoint: 4, limit: 10, CancellationToken.None);
            Assert.Equal(delivery, Assert.Single(claimed).Id);
        }

        // While the lease lives nobody else sends it.
        _time.Advance(lease - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await _host.DeliverDue());
        Assert.Empty(receiver.Received);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await _host.DeliverDue());
        Assert.Single(receiver.Received);
        Assert.Equal("succeeded", (await _host.Delivery(delivery)).Status);
    }

    [Fact]
    public async Task A_host_whose_address_is_now_refused_is_not_contacted()
    {
        await using var host = await WebhookHost.Start(_time, allowLoopback: false);
        await using var receiver = await WebhookReceiver.Start();
        // Registered when "localhost" was acceptable (the row is written directly); at delivery it resolves to loopback.
        var url = new UriBuilder(receiver.Url) { Host = "localhost" }.Uri;
        var endpoint = await host.InsertEndpoint(Guid.NewGuid(), url, WebhookHost.NewSecret());
        var delivery = await host.InsertDelivery(endpoint, _time.GetUtcNow());

        Assert.Equal(1, await host.DeliverDue());

        Assert.Empty(receiver.Received);
        var row = await host.Delivery(delivery);
        Assert.Equal(("pending", 1, (int?)null), (row.Status, row.Attempts, row.LastResponseCode));
        Assert.Contains("may not contact", row.LastError);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_in_time_is_a_failure_not_a_success()
    {
        await using var host = await WebhookHost.Start(_time, settings: new Dictionary<string, string?> { ["Webhooks:Delivery:Timeout"] = "00:00:00.300" });
        using var release = new CancellationTokenSource();
        await using var receiver = await WebhookReceiver.Start(async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            context.Response.StatusCode = (int)HttpStatusCode.OK;
        });
        var endpoint = await host.InsertEndpoint(Guid.NewGuid(), receiver.Url, WebhookHost.NewSecret());
        var delivery = await host.InsertDelivery(endpoint, _time.GetUtcNow());

        Assert.Equal(1, await host.DeliverDue());
        await release.CancelAsync();

        var row = await host.Delivery(delivery);
        Assert.Equal(("pending", 1, (int?)null), (row.Status, row.Attempts, row.LastResponseCode));
        Assert.Contains("timeout", row.LastError);
    }
}
