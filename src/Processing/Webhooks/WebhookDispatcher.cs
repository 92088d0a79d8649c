using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Payments.Processing.Webhooks;

/// <summary>
/// Sends webhooks from their durable schedule (<see cref="IWebhookDeliveryStore"/>): claims due deliveries whenever it
/// has free slots, runs their attempts concurrently, and records each outcome in its own transaction as soon as it
/// arrives, so a slow endpoint's attempt never holds up another endpoint's (the claim also leaves each endpoint at most
/// <see cref="WebhookDeliveryOptions.MaxPerEndpoint"/> attempts in flight, so one endpoint's backlog cannot take every
/// slot). Times come from the injected <see cref="TimeProvider"/>. A delivery is marked succeeded only after a 2xx;
/// when this process dies mid-attempt, or stops, its lease runs out and the delivery is tried again (at least once).
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopeFactory,
    WebhookSender sender,
    WebhookSignal signal,
    WebhookMetrics metrics,
    IOptions<WebhookDeliveryOptions> options,
    IOptions<WebhookOptions> webhookOptions,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    static readonly TimeSpan PendingInterval = TimeSpan.FromSeconds(15);

    readonly WebhookDeliveryOptions _options = options.Value;
    readonly WebhookRetrySchedule _schedule = options.Value.RetrySchedule;
    DateTimeOffset _pendingMeasuredAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
            return;

        var inFlight = new HashSet<Task>();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                inFlight.RemoveWhere(t => t.IsCompleted);
                var free = _options.MaxConcurrent - inFlight.Count;
                var claimed = free > 0 ? await Claim(free, stoppingToken) : [];
                foreach (var delivery in claimed)
                    inFlight.Add(AttemptAndRecord(delivery, stoppingToken));
                if (time.GetUtcNow() - _pendingMeasuredAt >= PendingInterval)
                    await MeasurePending(stoppingToken);
                failures = 0;
                // A full claim means more may be due; otherwise wait for new work, a freed slot or the next poll.
                if (claimed.Count > 0 && claimed.Count == free)
                    continue;
                await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(++failures, 10))));
                LogLoopFailed(logger, e, failures, backoff);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        // Attempts cut short by the stop are not recorded: their leases run out and they are tried again.
        await Task.WhenAll(inFlight);
    }

    /// <summary>
    /// Claims and delivers what is due, pass after pass, until nothing due is left: the Lambda worker's pass (no background
    /// loop runs in a frozen function) and the tests' deterministic step.
    /// </summary>
    public async Task<int> DeliverDue(CancellationToken cancellationToken)
    {
        var attempted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var claimed = await Claim(_options.MaxConcurrent, cancellationToken);
            if (claimed.Count == 0)
                break;
            await Task.WhenAll(claimed.Select(d => AttemptAndRecord(d, cancellationToken)));
            attempted += claimed.Count;
        }
        await MeasurePending(cancellationToken);
        return attempted;
    }

    async Task<IReadOnlyList<ClaimedDelivery>> Claim(int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var now = time.GetUtcNow();
        return await scope.ServiceProvider.GetRequiredService<IWebhookDeliveryStore>()
            .Claim(now, now + _options.Lease, _options.MaxPerEndpoint, limit, cancellationToken);
    }

    async Task AttemptAndRecord(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            var attempt = await sender.Send(delivery, cancellationToken);
            metrics.Attempted(attempt);
            await Record(delivery, attempt, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Unrecorded, the delivery keeps its lease until it runs out and is then tried again.
            LogNotRecorded(logger, e, delivery.Id, delivery.EndpointId);
        }
        finally
        {
            signal.Raise(); // a slot is free
        }
    }

    async Task Record(ClaimedDelivery delivery, WebhookAttempt attempt, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IWebhookDeliveryStore>();
        var now = time.GetUtcNow();
        if (attempt.Succeeded)
        {
            await store.RecordSuccess(delivery, attempt.StatusCode!.Value, now, cancellationToken);
            return;
        }

        var next = _schedule.NextAttempt(delivery.Attempts + 1, now, attempt.RetryAfter);
        var goneReason = attempt.Gone ? $"Disabled at {now:u}: the endpoint answered 410 Gone" : null;
        var disabled = await store.RecordFailure(delivery, attempt, next, now, goneReason, now - webhookOptions.Value.DisableAfter, cancellationToken);
        if (disabled is not null)
            LogEndpointDisabled(logger, delivery.EndpointId, disabled);
        if (next is null)
            LogDeliveryFailed(logger, delivery.Id, delivery.EndpointId, delivery.EventId, delivery.Attempts + 1, attempt.Error);
    }

    async Task MeasurePending(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        metrics.PendingNow(await scope.ServiceProvider.GetRequiredService<IWebhookDeliveryStore>().CountPending(cancellationToken));
        _pendingMeasuredAt = time.GetUtcNow();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook sender failed ({Failures} in a row); next try in {Backoff}")]
    static partial void LogLoopFailed(ILogger logger, Exception exception, int failures, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome of webhook delivery {DeliveryId} to endpoint {EndpointId} not recorded; it is tried again when its lease runs out")]
    static partial void LogNotRecorded(ILogger logger, Exception exception, Guid deliveryId, Guid endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} disabled: {Reason}")]
    static partial void LogEndpointDisabled(ILogger logger, Guid endpointId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} (webhook-id {EventId}) failed after {Attempts} attempts: {LastError}")]
    static partial void LogDeliveryFailed(ILogger logger, Guid deliveryId, Guid endpointId, Guid eventId, int attempts, string? lastError);
}
