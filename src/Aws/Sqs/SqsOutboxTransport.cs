using Amazon.SQS;
using Amazon.SQS.Model;
using Payments.Aws.Sns;
using Payments.Persistence.Outbox;

namespace Payments.Aws.Sqs;

/// <summary>
/// Hands outbox rows to AWS: a publish goes to the message type's SNS topic, a send to the named SQS queue.
/// The body is the stored MassTransit envelope, unchanged, so MessageId and headers survive the trip.
/// </summary>
public sealed class SqsOutboxTransport(IAmazonSQS sqs, SnsClient sns, SqsTopology topology) : IOutboxTransport
{
    public const string ContentTypeAttribute = "Content-Type";

    public async Task Send(OutboxMessage message, CancellationToken cancellationToken)
    {
        var (isTopic, name) = EntityNames.DestinationOf(message.DestinationAddress!);
        if (isTopic)
        {
            await sns.Publish(await topology.TopicArn(name), message.Body,
                new Dictionary<string, string> { [ContentTypeAttribute] = message.ContentType }, cancellationToken);
            return;
        }

        await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = await topology.QueueUrl(name),
            MessageBody = message.Body,
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                [ContentTypeAttribute] = new() { DataType = "String", StringValue = message.ContentType },
            },
        }, cancellationToken);
    }
}
