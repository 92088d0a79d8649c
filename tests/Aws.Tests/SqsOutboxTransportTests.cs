using Amazon.SQS;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Outbox;
using Payments.Processing.Endpoints;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>The SQS/SNS bridge as the outbox's transport reports each row as sent or failed with the reason.</summary>
public sealed class SqsOutboxTransportTests : IDisposable
{
    readonly AmazonSQSClient _sqs = TestSqs.CreateClient();

    public void Dispose() => _sqs.Dispose();

    [Fact]
    public async Task Each_row_is_reported_sent_or_failed_with_the_reason_and_a_failure_holds_back_no_other_row()
    {
        var prefix = AwsHost.NewPrefix();
        var queueUrl = (await _sqs.CreateQueueAsync(prefix + "charge-payment")).QueueUrl;
        var services = new ServiceCollection();
        // Not provisioning, and no topic ARN prefix: a publish cannot find its topic.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
            ["Messaging:AmazonSqs:EntityPrefix"] = prefix,
        }).Build());
        services.AddLogging();
        services.AddAmazonSqsTransport(ProcessingEndpoints.All, receive: false);
        await using var provider = services.BuildServiceProvider();
        var transport = provider.GetRequiredService<IOutboxTransport>();

        var result = await transport.Send(
            [Row(1, "queue:charge-payment"), Row(2, "queue:no-such-queue"), Row(3, "topic:urn:message:Payments.Contracts:PaymentRequested"), Row(4, "queue:charge-payment")],
            CancellationToken.None);

        Assert.Equal([1L, 4L], result.Sent.Select(r => r.SequenceNumber).Order());
        var failed = result.Failed.OrderBy(f => f.Message.SequenceNumber).ToList();
        Assert.Equal([2L, 3L], failed.Select(f => f.Message.SequenceNumber));
        Assert.StartsWith("sending to queue no-such-queue: QueueDoesNotExistException: ", failed[0].Reason);
        Assert.StartsWith("publishing to topic Payments_Contracts-PaymentRequested: InvalidOperationException: ", failed[1].Reason);
        var received = await _sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        Assert.Equal(["""{"n":1}""", """{"n":4}"""], (received.Messages ?? []).Select(m => m.Body).Order());
    }

    [Fact]
    public async Task A_row_SNS_refuses_in_a_PublishBatch_stays_while_the_rows_published_with_it_arrive()
    {
        var prefix = AwsHost.NewPrefix();
        const string topic = "Payments_Contracts-PaymentRequested";
        var services = new ServiceCollection();
        // AutoProvision: the transport finds the topic by creating it (idempotent); nothing else is provisioned here.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
            ["Messaging:AmazonSqs:EntityPrefix"] = prefix,
            ["Messaging:AmazonSqs:AutoProvision"] = "true",
        }).Build());
        services.AddLogging();
        services.AddAmazonSqsTransport(ProcessingEndpoints.All, receive: false);
        await using var provider = services.BuildServiceProvider();
        var sns = provider.GetRequiredService<Payments.Aws.Sns.SnsClient>();
        var queueUrl = (await _sqs.CreateQueueAsync(prefix + "subscriber")).QueueUrl;
        var queueArn = (await _sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).Attributes["QueueArn"];
        await sns.Subscribe(await sns.CreateTopic(prefix + topic), "sqs", queueArn, new Dictionary<string, string> { ["RawMessageDelivery"] = "true" });
        var tooBig = Row(2, $"topic:urn:message:Payments.Contracts:PaymentRequested");
        tooBig.Body = $$"""{"n":2,"pad":"{{new string('x', 300 * 1024)}}"}""";

        var result = await provider.GetRequiredService<IOutboxTransport>().Send(
            [Row(1, "topic:urn:message:Payments.Contracts:PaymentRequested"), tooBig, Row(3, "topic:urn:message:Payments.Contracts:PaymentRequested")],
            CancellationToken.None);

        Assert.Equal([1L, 3L], result.Sent.Select(r => r.SequenceNumber).Order());
        var failed = Assert.Single(result.Failed);
        Assert.Equal(2, failed.Message.SequenceNumber);
        Assert.StartsWith($"SNS refused it for topic {topic}: InvalidParameter ", failed.Reason);
        var received = await _sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        Assert.Equal(["""{"n":1}""", """{"n":3}"""], (received.Messages ?? []).Select(m => m.Body).Order());
    }

    static OutboxMessage Row(long sequenceNumber, string destination) => new()
    {
        SequenceNumber = sequenceNumber,
        MessageId = NewId.NextGuid(),
        ContentType = "application/vnd.masstransit+json",
        MessageType = "urn:message:Payments.Contracts:PaymentRequested",
        Body = $$"""{"n":{{sequenceNumber}}}""",
        DestinationAddress = new Uri(destination),
    };
}
