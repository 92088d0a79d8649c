using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Aws.Sqs;
using Payments.Persistence.Outbox;
using Payments.Processing.Recovery;
using Payments.Processing.Webhooks;

namespace Payments.Workers.Lambda;

/// <summary>
/// The worker's Lambda invocation loop: <c>next</c> → <see cref="SqsBatchHandler"/> → <c>response</c> with
/// <c>batchItemFailures</c>. The batch is cancelled <see cref="LambdaRuntimeOptions.StopBeforeDeadline"/> before the
/// deadline; whatever it had not finished is reported as failed, so Lambda redelivers it (the consumer inbox drops
/// the repeats of records that had in fact completed). A malformed event is an invocation error, never an empty
/// success. The loop ends when <c>stop</c> is cancelled (SIGTERM) and fails when the Runtime API goes away.
/// </summary>
public sealed partial class LambdaRuntimeLoop(
    LambdaRuntimeClient client,
    SqsBatchHandler handler,
    OutboxDeliveryService outbox,
    StalledPaymentRecovery recovery,
    WebhookDispatcher webhooks,
    WebhookSignal webhooksPlanned,
    IOptions<OutboxOptions> outboxOptions,
    IOptions<LambdaRuntimeOptions> options,
    ILogger<LambdaRuntimeLoop> logger,
    TimeProvider? time = null,
    TextWriter? metrics = null)
{
    public const string MalformedEventError = "Runtime.MalformedEvent";
    public const string UnhandledError = "Runtime.Unhandled";

    /// <summary>How long posting an answer may take once the work is over (the Runtime API is local).</summary>
    static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(10);

    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly TextWriter _metrics = metrics ?? Console.Out;
    readonly LambdaRuntimeOptions _options = options.Value;

    /// <summary>Runs until <paramref name="stop"/>; 0 on a clean stop, 1 when the Runtime API failed.</summary>
    public async Task<int> Run(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                invocation = await client.Next(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Without the Runtime API nothing can be answered; Lambda replaces a runtime that exits.
                LogRuntimeApiFailed(logger, e);
                return 1;
            }

            await Invoke(invocation, stop);
        }
        return 0;
    }

    async Task Invoke(LambdaInvocation invocation, CancellationToken stop)
    {
        using var scope = RequestScope(logger, invocation.RequestId);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var untilCutoff = Timeout.InfiniteTimeSpan;
        var answerWithin = Timeout.InfiniteTimeSpan;
        if (invocation.Deadline is { } deadline)
        {
            untilCutoff = deadline - _options.StopBeforeDeadline - _time.GetUtcNow();
            answerWithin = untilCutoff + _options.StopBeforeDeadline / 2;
            if (untilCutoff <= TimeSpan.Zero)
            {
                LogArrivedLate(logger, -untilCutoff);
                await work.CancelAsync();
            }
            else
                work.CancelAfter(untilCutoff);
        }

        string? response = null;
        string? errorType = null;
        Exception? error = null;
        try
        {
            work.Token.ThrowIfCancellationRequested();
            if (IsScheduledSweep(invocation.Body))
            {
                await Sweep(work.Token);
                response = "{}";
            }
            else
            {
                // WaitAsync bounds the wait even if some dispatch ignores the token: the answer must precede the deadline.
                response = await handler.Handle(invocation.Body, work.Token).WaitAsync(answerWithin, CancellationToken.None);
                await FlushOutbox(work.Token);
                await SendPlannedWebhooks(work.Token);
            }
        }
        catch (Exception e) when (response is null && work.IsCancellationRequested && e is OperationCanceledException or TimeoutException)
        {
            try
            {
                response = SqsBatchHandler.AllRecordsFailed(invocation.Body);
                LogUnfinished(logger, stop.IsCancellationRequested ? "stopped" : "reached its cut-off");
            }
            catch (Exception parse) when (parse is JsonException or FormatException or InvalidOperationException)
            {
                (errorType, error) = (MalformedEventError, parse);
            }
        }
        catch (Exception e) when (response is null && e is JsonException or FormatException)
        {
            (errorType, error) = (MalformedEventError, e);
        }
        catch (Exception e) when (response is null)
        {
            (errorType, error) = (UnhandledError, e);
        }

        using var post = new CancellationTokenSource(PostTimeout);
        try
        {
            if (error is null)
                await client.Respond(invocation.RequestId, response!, post.Token);
            else
            {
                LogInvocationFailed(logger, error, errorType);
                await client.ReportInvocationError(invocation.RequestId, errorType!, error, post.Token);
            }
        }
        catch (Exception e)
        {
            // Unanswered, the invocation times out and Lambda retries the batch; a dead Runtime API shows on the next call.
            LogAnswerNotPosted(logger, e, invocation.RequestId);
        }
    }

    /// <summary>Best effort: what is left stays in the outbox for the background delivery of this or another instance.</summary>
    async Task FlushOutbox(CancellationToken cancellationToken)
    {
        if (!_options.FlushOutboxBeforeResponse || !outboxOptions.Value.DeliveryEnabled)
            return;
        try
        {
            await DrainOutbox(cancellationToken);
        }
        catch (Exception e)
        {
            LogFlushIncomplete(logger, e);
        }
    }

    /// <summary>
    /// Best effort, after a batch that planned webhook deliveries (a batch that finished payments or refunds, or re-armed ones): their first
    /// attempts go out before the answer, since the function may be frozen after it. Whatever is left, and every retry,
    /// is sent by the scheduled sweep, so on Lambda a retry waits for the next sweep (each minute) at the latest.
    /// </summary>
    async Task SendPlannedWebhooks(CancellationToken cancellationToken)
    {
        if (!webhooksPlanned.TryTake())
            return;
        try
        {
            await webhooks.DeliverDue(cancellationToken);
        }
        catch (Exception e)
        {
            LogWebhooksIncomplete(logger, e);
        }
    }

    /// <summary>
    /// A frozen Lambda runs no background service: a scheduled EventBridge rule invokes the worker every minute so
    /// that rows left in the outbox (by a frozen API instance, or due schedules) are delivered and lost messages recovered.
    /// </summary>
    static bool IsScheduledSweep(string body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            return node?["source"]?.GetValue<string>() == "aws.events" && node["detail-type"]?.GetValue<string>() == "Scheduled Event";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    async Task Sweep(CancellationToken cancellationToken)
    {
        // Measured before the sweep delivers: what the instances' own delivery left waiting is the lag worth an alarm
        // (infra/terraform/alarms.tf, Payments/OutboxOldestAgeSeconds).
        var lag = (await outbox.MeasureBacklog(cancellationToken)).OldestAge;
        await _metrics.WriteLineAsync(EmbeddedMetric.Line("Payments", "OutboxOldestAgeSeconds", Math.Round(lag.TotalSeconds, 3), "Seconds", _time.GetUtcNow()));
        await _metrics.FlushAsync(cancellationToken);
        var recovered = await recovery.RunOnce(cancellationToken);
        var delivered = await DrainOutbox(cancellationToken);
        // No background delivery loop runs here to count parked rows every minute: the sweep does (a warning when it changed).
        var parked = await outbox.CountParked(cancellationToken);
        // The webhook sender's background loop is off here (LambdaWorker): the retries that fell due go out now.
        var webhookAttempts = await webhooks.DeliverDue(cancellationToken);
        LogSwept(logger, lag.TotalSeconds, delivered, parked, recovered, webhookAttempts);
    }

    /// <summary>Delivers due outbox rows batch after batch until a claim comes back short or the transport takes nothing.</summary>
    async Task<int> DrainOutbox(CancellationToken cancellationToken)
    {
        var delivered = 0;
        DeliveryBatch batch;
        do
        {
            batch = await outbox.DeliverBatch(cancellationToken);
            delivered += batch.Delivered;
        } while (batch.Claimed == outboxOptions.Value.BatchSize && !batch.NothingAccepted && !cancellationToken.IsCancellationRequested);
        return delivered;
    }

    static readonly Func<ILogger, string, IDisposable?> RequestScope = LoggerMessage.DefineScope<string>("AwsRequestId:{AwsRequestId}");

    [LoggerMessage(Level = LogLevel.Critical, Message = "Lambda Runtime API failed on invocation/next; exiting")]
    static partial void LogRuntimeApiFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation arrived {Late} past its cut-off; its records are reported as failed")]
    static partial void LogArrivedLate(ILogger logger, TimeSpan late);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation {Reason} before its batch finished; reporting all its records as failed")]
    static partial void LogUnfinished(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invocation failed as a whole ({ErrorType}); Lambda will retry the entire batch")]
    static partial void LogInvocationFailed(ILogger logger, Exception exception, string? errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not post the answer to invocation {AwsRequestId}")]
    static partial void LogAnswerNotPosted(ILogger logger, Exception exception, string awsRequestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox flush before the response did not complete; background delivery will resume it")]
    static partial void LogFlushIncomplete(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Scheduled sweep: oldest due outbox row {LagSeconds:F1} s old; delivered {Delivered} outbox rows, {Parked} parked; recovered {Recovered} payments; {WebhookAttempts} webhook attempts")]
    static partial void LogSwept(ILogger logger, double lagSeconds, int delivered, long parked, int recovered, int webhookAttempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook deliveries before the response did not complete; the scheduled sweep resumes them")]
    static partial void LogWebhooksIncomplete(ILogger logger, Exception exception);
}
