using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace Payments.Aws.Sqs;

/// <summary>
/// Long-polls one queue and dispatches each message with bounded concurrency. A message is deleted only
/// after its dispatch succeeded; a failure leaves it to reappear after the visibility timeout (and, after
/// MaxReceiveCount receives, in the dead-letter queue). While a message is being processed its visibility
/// is extended, so a slow consumer does not see its message handed to someone else. Deletes, releases and
/// extensions go to SQS in batch calls of up to ten (<see cref="SqsReceiptBatcher"/>, <see cref="SqsVisibilityExtender"/>).
/// A delete that fails is only logged: the message comes back and the endpoint's inbox recognises it.
/// </summary>
sealed partial class SqsQueueReceiver(string queue, IAmazonSQS sqs, SqsTopology topology, SqsMessageDispatcher dispatcher,
    AwsMessagingOptions options, ILogger logger)
{
    public async Task Run(CancellationToken stopReceiving, CancellationToken abortProcessing)
    {
        var queueUrl = await topology.QueueUrl(queue);
        var slots = new SemaphoreSlim(options.ConcurrencyPerQueue);
        var inFlight = new HashSet<Task>();
        var deletes = new SqsReceiptBatcher(entries => Delete(queueUrl, entries));
        var releases = new SqsReceiptBatcher(entries => Release(queueUrl, entries));
        var batchers = Task.WhenAll(deletes.Run(), releases.Run());
        var extender = new SqsVisibilityExtender(sqs, queueUrl, queue, options.VisibilityTimeout, logger);
        using var stopExtending = new CancellationTokenSource();
        var extending = extender.Run(stopExtending.Token);
        var batching = new Batching(deletes, releases, extender);

        while (!stopReceiving.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stopReceiving);
                var wanted = Math.Min(10, slots.CurrentCount + 1);
                var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = queueUrl,
                    MaxNumberOfMessages = wanted,
                    WaitTimeSeconds = options.WaitTimeSeconds,
                    VisibilityTimeout = (int)options.VisibilityTimeout.TotalSeconds,
                    MessageAttributeNames = ["All"],
                    MessageSystemAttributeNames = ["ApproximateReceiveCount"],
                    // Not cancelled on shutdown: an abandoned long poll can still be handed messages, which would then
                    // stay invisible for a whole visibility timeout. The poll ends by itself within WaitTimeSeconds.
                }, CancellationToken.None);

                var messages = response.Messages ?? [];
                if (messages.Count == 0 || stopReceiving.IsCancellationRequested)
                {
                    await Task.WhenAll(messages.Select(m => Release(batching, m)));
                    slots.Release();
                    continue;
                }

                // One slot is already held; take one more for each further message.
                for (var i = 1; i < messages.Count; i++)
                    await slots.WaitAsync(CancellationToken.None);
                foreach (var message in messages)
                {
                    var task = Process(batching, message, abortProcessing).ContinueWith(_ => slots.Release(), TaskScheduler.Default);
                    lock (inFlight)
                        inFlight.Add(task);
                    _ = task.ContinueWith(t => { lock (inFlight) inFlight.Remove(t); }, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stopReceiving.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogReceiveFailed(logger, e, queue);
                await Task.Delay(TimeSpan.FromSeconds(1), stopReceiving).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        Task[] remaining;
        lock (inFlight)
            remaining = inFlight.ToArray();
        await Task.WhenAll(remaining);
        await stopExtending.CancelAsync();
        await extending;
        deletes.Complete();
        releases.Complete();
        await batchers;
    }

    /// <summary>What the messages of one run share: the batched deletes and releases, and the visibility extender.</summary>
    sealed record Batching(SqsReceiptBatcher Deletes, SqsReceiptBatcher Releases, SqsVisibilityExtender Extender);

    async Task Process(Batching batching, Message message, CancellationToken abortProcessing)
    {
        batching.Extender.Track(message);
        try
        {
            var attributes = (message.MessageAttributes ?? [])
                .Where(a => a.Value.StringValue is not null)
                .ToDictionary(a => a.Key, a => a.Value.StringValue);
            await dispatcher.Dispatch(queue, message.Body, attributes, abortProcessing);
            batching.Extender.Untrack(message);
            if (await batching.Deletes.Add(message.ReceiptHandle) is { } reason)
                LogNotDeleted(logger, message.MessageId, queue, reason);
        }
        catch (Exception e)
        {
            batching.Extender.Untrack(message);
            if (abortProcessing.IsCancellationRequested)
            {
                // Shutting down: hand the message back at once instead of after the visibility timeout.
                await Release(batching, message);
                return;
            }
            LogMessageFaulted(logger, e, message.MessageId, queue, message.Attributes?.GetValueOrDefault("ApproximateReceiveCount"));
        }
    }

    async Task Release(Batching batching, Message message)
    {
        if (await batching.Releases.Add(message.ReceiptHandle) is { } reason)
            LogNotReleased(logger, message.MessageId, queue, reason);
    }

    async Task<IReadOnlyDictionary<string, string>> Delete(string queueUrl, IReadOnlyList<(string Id, string ReceiptHandle)> entries)
    {
        var response = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = entries.Select(e => new DeleteMessageBatchRequestEntry(e.Id, e.ReceiptHandle)).ToList(),
        }, CancellationToken.None);
        return (response.Failed ?? []).ToDictionary(f => f.Id, f => $"{f.Code} {f.Message}");
    }

    async Task<IReadOnlyDictionary<string, string>> Release(string queueUrl, IReadOnlyList<(string Id, string ReceiptHandle)> entries)
    {
        var response = await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = entries.Select(e => new ChangeMessageVisibilityBatchRequestEntry(e.Id, e.ReceiptHandle) { VisibilityTimeout = 0 }).ToList(),
        }, CancellationToken.None);
        return (response.Failed ?? []).ToDictionary(f => f.Id, f => $"{f.Code} {f.Message}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from {Queue} failed; retrying")]
    static partial void LogReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} from {Queue} faulted (receive {ReceiveCount}); it will be redelivered")]
    static partial void LogMessageFaulted(ILogger logger, Exception exception, string messageId, string queue, string? receiveCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete message {MessageId} from {Queue} ({Reason}); it returns after its visibility timeout and the inbox skips it")]
    static partial void LogNotDeleted(ILogger logger, string messageId, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release message {MessageId} of {Queue} ({Reason}); it returns after its visibility timeout")]
    static partial void LogNotReleased(ILogger logger, string messageId, string queue, string reason);
}
