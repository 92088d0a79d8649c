using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Payments.Aws;
using Payments.Aws.Sqs;
using Payments.Processing.Endpoints;

namespace Payments.Aws.DeadLetters;

/// <summary>
/// The SQS side of the <c>dlq</c> verb: depths, a peek that leaves every message where it was, and a replay that
/// re-sends a dead letter to its source queue and deletes it from the dead-letter queue only after the send
/// succeeded. Whatever stops a replay (Ctrl+C, a crash, a failed call), every message is still in one of the two
/// queues: at worst in both, and the consumers' inbox deduplicates by MassTransit message id.
/// </summary>
public sealed class DeadLetterQueues(IAmazonSQS sqs, AwsMessagingOptions options)
{
    /// <summary>How long a peeked message stays hidden if the tool dies before it makes it visible again.</summary>
    static readonly TimeSpan PeekHold = TimeSpan.FromSeconds(10);

    /// <summary>How long a replay keeps the messages it looked at hidden, so that one pass sees each message once.</summary>
    static readonly TimeSpan ReplayHold = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<string> Endpoints { get; } = [.. ProcessingEndpoints.All.Select(e => e.Queue)];

    public string QueueName(string endpoint) => options.EntityPrefix + endpoint;

    public string DeadLetterQueueName(string endpoint) => EntityNames.DeadLetterQueueFor(QueueName(endpoint));

    /// <summary>The depth of a queue by its full name; null when the queue does not exist.</summary>
    public async Task<QueueDepth?> Depth(string queueName, CancellationToken cancellationToken)
    {
        var url = await QueueUrlOrNull(queueName, cancellationToken);
        if (url is null)
            return null;
        var response = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }, cancellationToken);
        var attributes = response.Attributes ?? [];
        return new QueueDepth(IntAttribute(attributes, "ApproximateNumberOfMessages"), IntAttribute(attributes, "ApproximateNumberOfMessagesNotVisible"));
    }

    /// <summary>Up to <paramref name="max"/> messages of an endpoint's dead-letter queue, made visible again at once.</summary>
    public async Task<IReadOnlyList<DeadLetter>> Peek(string endpoint, int max, CancellationToken cancellationToken)
    {
        var dlqUrl = await QueueUrl(DeadLetterQueueName(endpoint), cancellationToken);
        var held = new Dictionary<string, string>();
        var letters = new List<DeadLetter>();
        try
        {
            while (letters.Count < max)
            {
                var batch = await Receive(dlqUrl, Math.Min(10, max - letters.Count), PeekHold, cancellationToken);
                if (batch.Count == 0)
                    break;
                var wrapped = false;
                foreach (var message in batch)
                {
                    // Seen already: its hold ran out while we were still reading, so we have been round the queue.
                    wrapped |= held.ContainsKey(message.MessageId);
                    if (!wrapped)
                        letters.Add(DeadLetterDescription.Of(message));
                    held[message.MessageId] = message.ReceiptHandle;
                }
                if (wrapped)
                    break;
            }
        }
        finally
        {
            await Release(dlqUrl, held.Values);
        }
        return letters;
    }

    /// <summary>
    /// Moves the selected dead letters of an endpoint back to its queue, with the same body and message attributes.
    /// Messages not selected are hidden while the replay runs (so it sees each once) and made visible again at the end.
    /// </summary>
    public async Task<ReplayResult> Replay(string endpoint, ReplaySelection selection, bool dryRun, Action<DeadLetter, ReplayOutcome> report,
        CancellationToken cancellationToken)
    {
        var sourceUrl = await QueueUrl(QueueName(endpoint), cancellationToken);
        var dlqUrl = await QueueUrl(DeadLetterQueueName(endpoint), cancellationToken);

        var held = new Dictionary<string, string>();
        // Copies this run sent: should one fault again and come back to the dead-letter queue, it is not sent round again.
        var sentIds = new HashSet<string>();
        int moved = 0, wouldMove = 0, left = 0;
        var found = false;
        var interrupted = false;
        Exception? failure = null;

        bool Done() =>
            failure is not null
            || (selection.Count is { } count && moved + wouldMove >= count)
            || (selection.MessageId is not null && found);

        try
        {
            while (!Done())
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }

                List<Message> batch;
                try
                {
                    batch = await Receive(dlqUrl, 10, ReplayHold, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }
                if (batch.Count == 0)
                    break;

                var wrapped = false;
                foreach (var message in batch)
                {
                    if (held.ContainsKey(message.MessageId))
                    {
                        held[message.MessageId] = message.ReceiptHandle;
                        wrapped = true;
                        continue;
                    }

                    var letter = DeadLetterDescription.Of(message);
                    var selected = !Done() && !cancellationToken.IsCancellationRequested && !sentIds.Contains(message.MessageId)
                                   && Matches(selection, letter);
                    if (!selected)
                    {
                        held[message.MessageId] = message.ReceiptHandle;
                        left++;
                        report(letter, ReplayOutcome.Left);
                        continue;
                    }

                    found = true;
                    if (dryRun)
                    {
                        held[message.MessageId] = message.ReceiptHandle;
                        wouldMove++;
                        report(letter, ReplayOutcome.WouldMove);
                        continue;
                    }

                    // Neither call is cancelled half-way: an interrupt takes effect between messages.
                    try
                    {
                        var sent = await sqs.SendMessageAsync(new SendMessageRequest
                        {
                            QueueUrl = sourceUrl,
                            MessageBody = message.Body,
                            MessageAttributes = CopyAttributes(message.MessageAttributes),
                        }, CancellationToken.None);
                        sentIds.Add(sent.MessageId);
                    }
                    catch (Exception e)
                    {
                        held[message.MessageId] = message.ReceiptHandle;
                        left++;
                        failure = e;
                        report(letter, ReplayOutcome.SendFailed);
                        continue;
                    }

                    try
                    {
                        await sqs.DeleteMessageAsync(dlqUrl, message.ReceiptHandle, CancellationToken.None);
                    }
                    catch (Exception e)
                    {
                        held[message.MessageId] = message.ReceiptHandle;
                        failure = e;
                        moved++;
                        report(letter, ReplayOutcome.CopiedNotDeleted);
                        continue;
                    }
                    moved++;
                    report(letter, ReplayOutcome.Moved);
                }
                if (wrapped)
                    break;
            }
        }
        finally
        {
            await Release(dlqUrl, held.Values);
        }
        return new ReplayResult(moved, wouldMove, left, found, interrupted, failure);
    }

    static bool Matches(ReplaySelection selection, DeadLetter letter) =>
        selection.MessageId is not { } id
        || string.Equals(letter.SqsMessageId, id, StringComparison.OrdinalIgnoreCase)
        || string.Equals(letter.EnvelopeMessageId, id, StringComparison.OrdinalIgnoreCase);

    async Task<List<Message>> Receive(string queueUrl, int max, TimeSpan hold, CancellationToken cancellationToken)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = max,
            // A short long-poll: it asks every SQS server, so an almost empty queue does not look empty.
            WaitTimeSeconds = 1,
            VisibilityTimeout = (int)hold.TotalSeconds,
            MessageAttributeNames = ["All"],
            MessageSystemAttributeNames = ["ApproximateReceiveCount", "SentTimestamp"],
        }, cancellationToken);
        return response.Messages ?? [];
    }

    /// <summary>Makes held messages visible again. Never cancelled: a message left hidden would only come back after its hold.</summary>
    async Task Release(string queueUrl, IEnumerable<string> receiptHandles)
    {
        foreach (var handle in receiptHandles)
        {
            try
            {
                await sqs.ChangeMessageVisibilityAsync(queueUrl, handle, 0, CancellationToken.None);
            }
            catch
            {
                // It becomes visible again by itself when its hold runs out.
            }
        }
    }

    static Dictionary<string, MessageAttributeValue> CopyAttributes(Dictionary<string, MessageAttributeValue>? attributes) =>
        (attributes ?? []).ToDictionary(a => a.Key, a => new MessageAttributeValue
        {
            DataType = a.Value.DataType,
            StringValue = a.Value.StringValue,
            BinaryValue = a.Value.BinaryValue,
        });

    async Task<string> QueueUrl(string queueName, CancellationToken cancellationToken) =>
        await QueueUrlOrNull(queueName, cancellationToken) ?? throw new DeadLetterException($"Queue {queueName} does not exist");

    async Task<string?> QueueUrlOrNull(string queueName, CancellationToken cancellationToken)
    {
        try
        {
            return (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queueName }, cancellationToken)).QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            return null;
        }
        catch (AmazonSQSException e) when (e.ErrorCode is { } code && code.Contains("NonExistentQueue", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    static int IntAttribute(Dictionary<string, string> attributes, string name) =>
        attributes.TryGetValue(name, out var value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
