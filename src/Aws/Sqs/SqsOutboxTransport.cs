using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Payments.Aws.Sns;
using Payments.Outbox;

namespace Payments.Aws.Sqs;

/// <summary>
/// Hands outbox rows to AWS: a publish goes to the message type's SNS topic, a send to the named SQS queue in
/// batches of up to ten (SendMessageBatch); entries SQS rejects stay in the outbox and are retried. The body is
/// the stored MassTransit envelope, unchanged, so MessageId and headers survive the trip.
/// </summary>
public sealed class SqsOutboxTransport(IAmazonSQS sqs, SnsClient sns, SqsTopology topology, ILogger<SqsOutboxTransport> logger)
    : IOutboxTransport
{
    public const string ContentTypeAttribute = "Content-Type";
    const int SqsBatchLimit = 10;

    public async Task<IReadOnlyCollection<OutboxMessage>> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var sent = new List<OutboxMessage>(batch.Count);
        var groups = batch.GroupBy(m => EntityNames.DestinationOf(m.DestinationAddress!));
        await Task.WhenAll(groups.Select(async group =>
        {
            var (isTopic, name) = group.Key;
            var delivered = isTopic
                ? await Publish(name, group.ToList(), cancellationToken)
                : await SendToQueue(name, group.ToList(), cancellationToken);
            lock (sent)
                sent.AddRange(delivered);
        }));
        return sent;
    }

    async Task<List<OutboxMessage>> Publish(string topic, List<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var delivered = new List<OutboxMessage>(messages.Count);
        await Task.WhenAll(messages.Select(async message =>
        {
            try
            {
                await sns.Publish(await topology.TopicArn(topic), message.Body,
                    new Dictionary<string, string> { [ContentTypeAttribute] = message.ContentType }, cancellationToken);
                lock (delivered)
                    delivered.Add(message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Publishing {MessageId} to topic {Topic} failed; it stays in the outbox", message.MessageId, topic);
            }
        }));
        return delivered;
    }

    async Task<List<OutboxMessage>> SendToQueue(string queue, List<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var delivered = new List<OutboxMessage>(messages.Count);
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
                        MessageAttributes = new Dictionary<string, MessageAttributeValue>
                        {
                            [ContentTypeAttribute] = new() { DataType = "String", StringValue = m.ContentType },
                        },
                    }).ToList(),
                }, cancellationToken);

                foreach (var ok in response.Successful ?? [])
                    delivered.Add(chunk[int.Parse(ok.Id)]);
                foreach (var failed in response.Failed ?? [])
                    logger.LogWarning("SQS refused {MessageId} for {Queue}: {Code} {Reason}; it stays in the outbox",
                        chunk[int.Parse(failed.Id)].MessageId, queue, failed.Code, failed.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sending {Count} messages to queue {Queue} failed; they stay in the outbox", chunk.Length, queue);
            }
        }
        return delivered;
    }
}
