using Microsoft.AspNetCore.Http;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>
/// A dead endpoint with a backlog larger than the sender's slots holds at most its per-endpoint share of them, so a
/// healthy endpoint's delivery goes out while every attempt to the dead one is still hanging.
/// </summary>
public class WebhookIsolationTests : IAsyncLifetime
{
    WebhookHost _host = null!;

    public async Task InitializeAsync() => _host = await WebhookHost.Start(settings: new Dictionary<string, string?>
    {
        ["Webhooks:Delivery:MaxConcurrent"] = "4",
        ["Webhooks:Delivery:MaxPerEndpoint"] = "2",
        ["Webhooks:Delivery:Timeout"] = "00:00:03",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_hanging_endpoint_does_not_delay_another_endpoints_delivery()
    {
        using var release = new CancellationTokenSource();
        await using var slow = await WebhookReceiver.Start(async (context, _) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, CancellationTokenSource.CreateLinkedTokenSource(release.Token, context.RequestAborted).Token)
                .ContinueWith(_ => { }, TaskScheduler.Default);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        var slowAttemptsEndedWhenFastArrived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Guid slowEndpoint = default;
        await using var fast = await WebhookReceiver.Start(async (context, _) =>
        {
            slowAttemptsEndedWhenFastArrived.TrySetResult(
                await _host.Sql.Count("webhook_deliveries", $"endpoint_id = '{slowEndpoint}' AND attempts > 0"));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });

        // The dead endpoint's backlog is older, so it comes first in due order, and outnumbers the sender's 4 slots.
        slowEndpoint = await _host.InsertEndpoint(Guid.NewGuid(), slow.Url, WebhookHost.NewSecret());
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 6; i++)
            await _host.InsertDelivery(slowEndpoint, now - TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(i));
        await slow.WaitFor(2);
        var fastEndpoint = await _host.InsertEndpoint(Guid.NewGuid(), fast.Url, WebhookHost.NewSecret());
        await _host.InsertDelivery(fastEndpoint, now);

        Assert.Equal(0, await slowAttemptsEndedWhenFastArrived.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        // The slow endpoint never had more than its share in flight.
        Assert.Equal(2, slow.Received.Count);
        await release.CancelAsync();
    }
}
