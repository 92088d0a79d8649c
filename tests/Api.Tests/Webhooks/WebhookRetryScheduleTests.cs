using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Payments.Processing.Webhooks;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>
/// The durable schedule under a clock the test moves: attempts exactly at 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
/// after each failure, then failed; Retry-After, 410 and the disable window.
/// </summary>
public class WebhookRetryScheduleTests : IAsyncLifetime
{
    readonly FakeTimeProvider _time = WebhookHost.NewClock();
    WebhookHost _host = null!;
    Func<HttpContext, Task> _answer = context => Respond(context, 500);

    public async Task InitializeAsync() => _host = await WebhookHost.Start(_time, settings: new Dictionary<string, string?>
    {
        ["Webhooks:DisableAfter"] = "30.00:00:00",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    static Task Respond(HttpContext context, int status, string? retryAfter = null)
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
            context.Response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    }

    async Task<(WebhookReceiver Receiver, Guid Endpoint, Guid Delivery)> OneDelivery()
    {
        var receiver = await WebhookReceiver.Start((context, _) => _answer(context));
        var endpoint = await _host.InsertEndpoint(Guid.NewGuid(), receiver.Url, WebhookHost.NewSecret());
        var delivery = await _host.InsertDelivery(endpoint, _time.GetUtcNow());
        return (receiver, endpoint, delivery);
    }

    [Fact]
    public async Task A_failing_endpoint_is_tried_on_the_schedule_exactly_then_the_delivery_fails()
    {
        var (receiver, _, delivery) = await OneDelivery();
        await using var _ = receiver;

        var start = _time.GetUtcNow();
        var expectedAt = new List<TimeSpan> { TimeSpan.Zero };
        foreach (var delay in WebhookRetrySchedule.Default.Delays)
            expectedAt.Add(expectedAt[^1] + delay);

        var attemptedAt = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var due = start + expectedAt[attempt - 1];
            // A tick before its time nothing is sent; at its time exactly, one attempt.
            if (attempt > 1)
            {
                _time.SetUtcNow(due - TimeSpan.FromMilliseconds(1));
                Assert.Equal(0, await _host.DeliverDue());
            }
            _time.SetUtcNow(due);
            Assert.Equal(1, await _host.DeliverDue());
            attemptedAt.Add(_time.GetUtcNow() - start);

            var row = await _host.Delivery(delivery);
            Assert.Equal(attempt, row.Attempts);
            Assert.Equal(500, row.LastResponseCode);
            if (attempt < 8)
            {
                Assert.Equal("pending", row.Status);
                Assert.Equal(due + WebhookRetrySchedule.Default.Delays[attempt - 1], row.NextAttemptAt);
            }
        }

        Assert.Equal(expectedAt, attemptedAt);
        Assert.Equal(8, receiver.Received.Count);
        var final = await _host.Delivery(delivery);
        Assert.Equal("failed", final.Status);
        Assert.Null(final.NextAttemptAt);
        Assert.Null(final.DeliveredAt);

        _time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, await _host.DeliverDue());
        Assert.Equal(8, receiver.Received.Count);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Retry_after_in_seconds_puts_the_next_attempt_no_earlier_than_asked(int status)
    {
        _answer = context => Respond(context, status, "120");
        var (receiver, _, delivery) = await OneDelivery();
        await using var _ = receiver;

        var sentAt = _time.GetUtcNow();
        Assert.Equal(1, await _host.DeliverDue());
        Assert.Equal(sentAt + TimeSpan.FromSeconds(120), (await _host.Delivery(delivery)).NextAttemptAt);

        // Where the schedule alone would have tried again (5 s), nothing goes out.
        _time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await _host.DeliverDue());
        _answer = context => Respond(context, 200);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _host.DeliverDue());
        Assert.Equal("succeeded", (await _host.Delivery(delivery)).Status);
    }

    [Fact]
    public async Task A_configured_schedule_replaces_the_default_and_its_end_fails_the_delivery()
    {
        await using var host = await WebhookHost.Start(_time, settings: new Dictionary<string, string?>
        {
            ["Webhooks:Delivery:RetryDelays:0"] = "00:00:01",
            ["Webhooks:Delivery:RetryDelays:1"] = "00:00:03",
        });
        await using var receiver = await WebhookReceiver.Start((context, _) => Respond(context, 500));
        var endpoint = await host.InsertEndpoint(Guid.NewGuid(), receiver.Url, WebhookHost.NewSecret());
        var start = _time.GetUtcNow();
        var delivery = await host.InsertDelivery(endpoint, start);

        Assert.Equal(1, await host.DeliverDue());
        Assert.Equal(start + TimeSpan.FromSeconds(1), (await host.Delivery(delivery)).NextAttemptAt);
        _time.SetUtcNow(start + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await host.DeliverDue());
        Assert.Equal(start + TimeSpan.FromSeconds(4), (await host.Delivery(delivery)).NextAttemptAt);
        _time.SetUtcNow(start + TimeSpan.FromSeconds(4));
        Assert.Equal(1, await host.DeliverDue());
        Assert.Equal("failed", (await host.Delivery(delivery)).Status);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured()
    {
        _answer = context => Respond(context, 503, (_time.GetUtcNow() + TimeSpan.FromMinutes(10)).ToString("r"));
        var (receiver, _, delivery) = await OneDelivery();
        await using var _ = receiver;

        var sentAt = _time.GetUtcNow();
        await _host.DeliverDue();
        var next = (await _host.Delivery(delivery)).NextAttemptAt!.Value;
        // HTTP dates carry whole seconds.
        Assert.InRange(next, sentAt + TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1), sentAt + TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Retry_after_on_another_status_is_ignored()
    {
        _answer = context => Respond(context, 500, "3600");
        var (receiver, _, delivery) = await OneDelivery();
        await using var _ = receiver;

        var sentAt = _time.GetUtcNow();
        await _host.DeliverDue();
        Assert.Equal(sentAt + WebhookRetrySchedule.Default.Delays[0], (await _host.Delivery(delivery)).NextAttemptAt);
    }

    [Fact]
    public async Task Gone_disables_the_endpoint_with_a_reason_and_nothing_more_is_sent_to_it()
    {
        _answer = context => Respond(context, 410);
        var (receiver, endpoint, delivery) = await OneDelivery();
        await using var _ = receiver;
        var later = await _host.InsertDelivery(endpoint, _time.GetUtcNow() + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await _host.DeliverDue());
        var (enabled, reason) = await _host.Endpoint(endpoint);
        Assert.False(enabled);
        Assert.Contains("410", reason);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await _host.DeliverDue());
        Assert.Single(receiver.Received);
        // Nothing is thrown away: the deliveries wait for the owner to enable the endpoint again.
        Assert.Equal("pending", (await _host.Delivery(delivery)).Status);
        Assert.Equal("pending", (await _host.Delivery(later)).Status);
    }

    [Fact]
    public async Task An_endpoint_failing_for_the_disable_window_is_disabled_and_a_success_resets_the_window()
    {
        await using var host = await WebhookHost.Start(_time, settings: new Dictionary<string, string?>
        {
            ["Webhooks:DisableAfter"] = "01:00:00",
        });
        var failing = true;
        await using var receiver = await WebhookReceiver.Start((context, _) => Respond(context, failing ? 500 : 200));
        var endpoint = await host.InsertEndpoint(Guid.NewGuid(), receiver.Url, WebhookHost.NewSecret());
        var start = _time.GetUtcNow();
        var first = await host.InsertDelivery(endpoint, start);
        var success = await host.InsertDelivery(endpoint, start + TimeSpan.FromMinutes(40));

        // 0, 5 s, 5 min 5 s fail; at 35 min 5 s... the second delivery succeeds at 40 min and the window starts over.
        foreach (var at in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(305), TimeSpan.FromSeconds(2105) })
        {
            _time.SetUtcNow(start + at);
            await host.DeliverDue();
        }
        Assert.True((await host.Endpoint(endpoint)).Enabled);
        failing = false;
        _time.SetUtcNow(start + TimeSpan.FromMinutes(40));
        Assert.Equal(1, await host.DeliverDue());
        Assert.Equal("succeeded", (await host.Delivery(success)).Status);
        failing = true;

        // From here the first delivery keeps failing: 2 h 35 min 5 s is its next attempt, 1 h 55 min after the window restarted.
        _time.SetUtcNow(start + TimeSpan.FromSeconds(2105) + TimeSpan.FromHours(2));
        Assert.Equal(1, await host.DeliverDue());
        var (enabled, reason) = await host.Endpoint(endpoint);
        Assert.True(enabled, "a failure right after a success must not disable it");

        var third = await host.InsertDelivery(endpoint, _time.GetUtcNow() + TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await host.DeliverDue());
        (enabled, reason) = await host.Endpoint(endpoint);
        Assert.False(enabled);
        Assert.Contains("every delivery attempt failed since", reason);
        Assert.Equal("pending", (await host.Delivery(third)).Status);
        Assert.Equal("pending", (await host.Delivery(first)).Status);
    }
}
