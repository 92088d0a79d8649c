using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace Payments.Aws.Sqs;

/// <summary>
/// Keeps the messages a receiver is processing invisible: every half visibility timeout it extends all of them, ten per
/// ChangeMessageVisibilityBatch call, instead of a timer and a call per message. Extending early is harmless, so a message
/// tracked just after a round is still extended before its timeout runs out.
/// </summary>
sealed partial class SqsVisibilityExtender(IAmazonSQS sqs, string queueUrl, string queue, TimeSpan visibilityTimeout, ILogger logger)
{
    const int SqsBatchLimit = 10;
    readonly ConcurrentDictionary<string, string> _processing = new(); // receipt handle → message id

    public void Track(Message message) => _processing[message.ReceiptHandle] = message.MessageId;

    public void Untrack(Message message) => _processing.TryRemove(message.ReceiptHandle, out _);

    public async Task Run(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(visibilityTimeout / 2, stop);
                await Task.WhenAll(_processing.ToArray().Chunk(SqsBatchLimit).Select(Extend));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    async Task Extend(KeyValuePair<string, string>[] messages)
    {
        try
        {
            var response = await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = queueUrl,
                Entries = messages.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.Key)
                {
                    VisibilityTimeout = (int)visibilityTimeout.TotalSeconds,
                }).ToList(),
            }, CancellationToken.None);
            // An entry can fail because its message was finished and deleted meanwhile; only one still being processed matters.
            foreach (var failed in response.Failed ?? [])
                if (messages[int.Parse(failed.Id, CultureInfo.InvariantCulture)] is var (handle, messageId) && _processing.ContainsKey(handle))
                    LogNotExtended(logger, messageId, queue, $"{failed.Code} {failed.Message}");
        }
        catch (Exception e)
        {
            LogBatchNotExtended(logger, e, messages.Length, queue);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not extend the visibility of message {MessageId} from {Queue}: {Reason}")]
    static partial void LogNotExtended(ILogger logger, string messageId, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not extend the visibility of {Count} messages from {Queue}")]
    static partial void LogBatchNotExtended(ILogger logger, Exception exception, int count, string queue);
}
