using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace Payments.Aws.Sqs;

/// <summary>
/// Long-polls one queue and dispatches each message with bounded concurrency. A message is deleted only
/// after its dispatch succeeded; a failure leaves it to reappear after the visibility timeout (and, after
/// MaxReceiveCount receives, in the dead-letter queue). While a message is being processed its visibility
/// is extended, so a slow consumer does not see its message handed to someone else.
/// </summary>
sealed partial class SqsQueueReceiver(string queue, IAmazonSQS sqs, SqsTopology topology, SqsMessageDispatcher dispatcher,
    AwsMessagingOptions options, ILogger logger)
{
    public async Task Run(CancellationToken stopReceiving, CancellationToken abortProcessing)
    {
        var queueUrl = await topology.QueueUrl(queue);
        var slots = new SemaphoreSlim(options.ConcurrencyPerQueue);
        var inFlight = new HashSet<Task>();

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
                    foreach (var message in messages)
                        await Release(queueUrl, message.ReceiptHandle);
                    slots.Release();
                    continue;
                }

                // One slot is already held; take one more for each further message.
                for (var i = 1; i < messages.Count; i++)
                    await slots.WaitAsync(CancellationToken.None);
                foreach (var message in messages)
                {
                    var task = Process(queueUrl, message, abortProcessing).ContinueWith(_ => slots.Release(), TaskScheduler.Default);
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
    }

    async Task Process(string queueUrl, Message message, CancellationToken abortProcessing)
    {
        using var extension = new CancellationTokenSource();
        var extender = ExtendVisibility(queueUrl, message.ReceiptHandle, extension.Token);
        try
        {
            var attributes = (message.MessageAttributes ?? [])
                .Where(a => a.Value.StringValue is not null)
                .ToDictionary(a => a.Key, a => a.Value.StringValue);
            await dispatcher.Dispatch(queue, message.Body, attributes, abortProcessing);
            await extension.CancelAsync();
            await extender;
            await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle, CancellationToken.None);
        }
        catch (Exception e)
        {
            await extension.CancelAsync();
            await extender;
            if (abortProcessing.IsCancellationRequested)
            {
                // Shutting down: hand the message back at once instead of after the visibility timeout.
                await Release(queueUrl, message.ReceiptHandle);
                return;
            }
            LogMessageFaulted(logger, e, message.MessageId, queue, message.Attributes?.GetValueOrDefault("ApproximateReceiveCount"));
        }
    }

    async Task ExtendVisibility(string queueUrl, string receiptHandle, CancellationToken done)
    {
        var every = options.VisibilityTimeout / 2;
        try
        {
            while (true)
            {
                await Task.Delay(every, done);
                await sqs.ChangeMessageVisibilityAsync(queueUrl, receiptHandle, (int)options.VisibilityTimeout.TotalSeconds, done);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogVisibilityNotExtended(logger, e, queue);
        }
    }

    async Task Release(string queueUrl, string receiptHandle)
    {
        try
        {
            await sqs.ChangeMessageVisibilityAsync(queueUrl, receiptHandle, 0);
        }
        catch (Exception e)
        {
            LogNotReleased(logger, e, queue);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from {Queue} failed; retrying")]
    static partial void LogReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} from {Queue} faulted (receive {ReceiveCount}); it will be redelivered")]
    static partial void LogMessageFaulted(ILogger logger, Exception exception, string messageId, string queue, string? receiveCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not extend the visibility of a message from {Queue}")]
    static partial void LogVisibilityNotExtended(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release a message of {Queue}; it returns after its visibility timeout")]
    static partial void LogNotReleased(ILogger logger, Exception exception, string queue);
}
