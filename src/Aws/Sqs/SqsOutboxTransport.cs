using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Payments.Aws.Sns;
using Payments.Outbox;

namespace Payments.Aws.Sqs;

/// <summary>
/// Hands outbox rows to AWS in batches of up to ten: a publish goes to the message type's SNS topic (PublishBatch), a
/// send to the named SQS queue (SendMessageBatch); each entry SNS or SQS refuses, and each row of a failed call, is
/// reported with the reason and stays in the outbox. The body is the stored MassTransit envelope, unchanged, so MessageId and
/// headers survive the trip; the content type and the trace context also travel as message attributes.
/// </summary>
public sealed class SqsOutboxTransport(IAmazonSQS sqs, SnsClient sns, SqsTopology topology) : IOutboxTransport
{
    public const string ContentTypeAttribute = "Content-Type";
    const int SqsBatchLimit = 10;

    public bool Durable => true;

    public async Task<OutboxSendResult> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var result = new OutboxSendResult();
        var groups = batch.GroupBy(m => EntityNames.DestinationOf(m.DestinationAddress!));
        await Task.WhenAll(groups.Select(group =>
        {
            var (isTopic, name) = group.Key;
            return isTopic
                ? Publish(name, group.ToList(), result, cancellationToken)
                : SendToQueue(name, group.ToList(), result, cancellationToken);
        }));
        return result;
    }

    async Task Publish(string topic, List<OutboxMessage> messages, OutboxSendResult result, CancellationToken cancellationToken)
    {
        var entries = messages.Select((m, i) => new SnsBatchEntry(i.ToString(CultureInfo.InvariantCulture), m.Body,
            [new(ContentTypeAttribute, m.ContentType), .. TraceAttributes.Of(m)])).ToList();
        await Task.WhenAll(PublishBatches.Of(entries, e => e.Bytes).Select(async batch =>
        {
            try
            {
                var response = await sns.PublishBatch(await topology.TopicArn(topic), batch, cancellationToken);
                var answered = new HashSet<string>();
                foreach (var id in response.Successful.Where(answered.Add))
                    result.Accepted(messages[int.Parse(id, CultureInfo.InvariantCulture)]);
                foreach (var failed in response.Failed.Where(f => answered.Add(f.Id)))
                    result.Refused(messages[int.Parse(failed.Id, CultureInfo.InvariantCulture)],
                        $"SNS refused it for topic {topic}: {failed.Code} {failed.Message}");
                foreach (var unanswered in batch.Where(e => !answered.Contains(e.Id)))
                    result.Refused(messages[int.Parse(unanswered.Id, CultureInfo.InvariantCulture)],
                        $"SNS did not answer for it in PublishBatch to topic {topic}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var entry in batch)
                    result.Refused(messages[int.Parse(entry.Id, CultureInfo.InvariantCulture)],
                        $"publishing to topic {topic}: {OutboxSendResult.Describe(e)}", e);
            }
        }));
    }

    async Task SendToQueue(string queue, List<OutboxMessage> messages, OutboxSendResult result, CancellationToken cancellationToken)
    {
        foreach (var chunk in messages.Chunk(SqsBatchLimit))
        {
            try
            {
                var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
                {
                    QueueUrl = await topology.QueueUrl(queue),
                    Entries = chunk.Select((m, i) => new SendMessageBatchRequestEntry
                    {
                        Id = i.ToString(),
                        MessageBody = m.Body,
                        MessageAttributes = Attributes(m),
                    }).ToList(),
                }, cancellationToken);

                foreach (var ok in response.Successful ?? [])
                    result.Accepted(chunk[int.Parse(ok.Id)]);
                foreach (var failed in response.Failed ?? [])
                    result.Refused(chunk[int.Parse(failed.Id)], $"SQS refused it for queue {queue}: {failed.Code} {failed.Message}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var message in chunk)
                    result.Refused(message, $"sending to queue {queue}: {OutboxSendResult.Describe(e)}", e);
            }
        }
    }

    static Dictionary<string, MessageAttributeValue> Attributes(OutboxMessage message)
    {
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            [ContentTypeAttribute] = new() { DataType = "String", StringValue = message.ContentType },
        };
        foreach (var (name, value) in TraceAttributes.Of(message))
            attributes[name] = new MessageAttributeValue { DataType = "String", StringValue = value };
        return attributes;
    }
}
