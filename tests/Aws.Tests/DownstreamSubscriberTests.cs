using System.Text;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws.Sns;
using Payments.Contracts;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// A downstream service subscribes its own queue to our outcome topic, named by MassTransit's Amazon SQS
/// convention, and reads the envelopes with stock MassTransit deserialisation.
/// </summary>
public class DownstreamSubscriberTests
{
    [Fact]
    public async Task A_subscriber_queue_on_the_PaymentSucceeded_topic_gets_envelopes_stock_MassTransit_reads()
    {
        var prefix = AwsHost.NewPrefix();
        using var worker = await AwsHost.StartWorker(AwsHost.Settings(await TestPostgres.CreateDatabase(), prefix));
        var sqs = TestSqs.CreateClient();
        var sns = worker.Services.GetRequiredService<SnsClient>();

        var topicArn = await sns.CreateTopic($"{prefix}Payments_Contracts-PaymentSucceeded");
        var queueUrl = (await sqs.CreateQueueAsync(TestSqs.UniqueName("downstream"))).QueueUrl;
        var queueArn = (await sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).Attributes["QueueArn"];
        await sns.Subscribe(topicArn, "sqs", queueArn, new Dictionary<string, string> { ["RawMessageDelivery"] = "true" });

        var sent = new PaymentSucceeded(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 4321, "EUR", "ch_123", DateTimeOffset.UtcNow);
        await AwsHost.PublishThroughOutbox(worker, sent);

        Message? received = null;
        for (var i = 0; i < 10 && received is null; i++)
            received = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl, WaitTimeSeconds = 1, MessageAttributeNames = ["All"],
            })).Messages?.FirstOrDefault();
        Assert.NotNull(received);
        Assert.Equal("application/vnd.masstransit+json", received.MessageAttributes["Content-Type"].StringValue);

        var headers = new DictionarySendHeaders(new Dictionary<string, object?>());
        var context = SystemTextJsonMessageSerializer.Instance.Deserialize(new StringMessageBody(received.Body), headers);
        Assert.Contains("urn:message:Payments.Contracts:PaymentSucceeded", context.SupportedMessageTypes);
        Assert.True(context.TryGetMessage<PaymentSucceeded>(out var message));
        Assert.Equal(sent, message);
        Assert.NotNull(context.MessageId);
        Assert.True(Encoding.UTF8.GetByteCount(received.Body) == received.Body.Length, "envelopes stay ASCII (the emulator rejects characters above U+FFFF)");
        await worker.StopAsync();
    }
}
