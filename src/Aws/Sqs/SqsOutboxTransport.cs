using Amazon.SQS;
using Amazon.SQS.Model;
using Payments.Aws.Sns;
using Payments.Outbox;

namespace Payments.Aws.Sqs;

/// <summary>
/// Hands outbox rows to AWS: a publish goes to the message type's SNS topic, a send to the named SQS queue in
/// batches of up to ten (SendMessageBatch); each entry SQS rejects, and each row of a failed call, is reported with
/// the reason and stays in the outbox. The body is the stored MassTransit envelope, unchanged, so MessageId and
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
        await Task.WhenAll(messages.Select(async message =>
        {
            try
            {
                await sns.Publish(await topology.TopicArn(topic), message.Body,
                    [new(ContentTypeAttribute, message.ContentType), .. TraceAttributes.Of(message)], cancellationToken);
                result.Accepted(message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result.Refused(message, $"publishing to topic {topic}: {OutboxSendResult.Describe(e)}", e);
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
