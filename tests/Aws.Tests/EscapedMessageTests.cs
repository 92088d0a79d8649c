using Amazon.SQS.Model;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws.Sns;
using Payments.Contracts;
using Microsoft.Extensions.Logging;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// Over SQS the in-memory bus only hosts the pipelines, so a message published around the outbox would reach nobody:
/// it is written to the outbox instead and delivered like every other message.
/// </summary>
public class EscapedMessageTests
{
    [Fact]
    public async Task A_publish_on_the_singleton_bus_goes_through_the_outbox_to_the_topic()
    {
        var prefix = AwsHost.NewPrefix();
        var database = await TestPostgres.CreateDatabase();
        using var worker = await AwsHost.StartWorker(AwsHost.Settings(database, prefix));
        var sqs = TestSqs.CreateClient();
        var sns = worker.Services.GetRequiredService<SnsClient>();
        var topicArn = await sns.CreateTopic($"{prefix}Payments_Contracts-PaymentSucceeded");
        var queueUrl = (await sqs.CreateQueueAsync(TestSqs.UniqueName("escaped"))).QueueUrl;
        var queueArn = (await sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).Attributes["QueueArn"];
        await sns.Subscribe(topicArn, "sqs", queueArn, new Dictionary<string, string> { ["RawMessageDelivery"] = "true" });

        var messageId = NewId.NextGuid();
        var sent = new PaymentSucceeded(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 777, "EUR", "ch_escaped", DateTimeOffset.UtcNow);
        await worker.Services.GetRequiredService<IBus>().Publish(sent, c => c.MessageId = messageId);

        Message? received = null;
        for (var i = 0; i < 15 && received is null; i++)
            received = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 1 })).Messages?.FirstOrDefault();
        Assert.True(received is not null, "the message published on the singleton IBus never reached its topic");
        Assert.Contains(messageId.ToString(), received.Body);
        await worker.StopAsync();
    }

    [Fact]
    public async Task A_faulting_message_goes_to_its_dead_letter_queue_and_nothing_escapes_the_outbox_on_the_way()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var prefix = AwsHost.NewPrefix();
        var settings = AwsHost.Settings(database, prefix);
        settings["Messaging:AmazonSqs:MaxReceiveCount"] = "2";
        settings["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:01";
        var logs = new RecordedLogs();
        using var worker = await AwsHost.StartWorker(settings, logs);
        // The saga cannot store any payment: not a retryable conflict, so each receive faults at once.
        await sql.Execute("""
            CREATE FUNCTION poison_saga() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poison'; END $$;
            CREATE TRIGGER poison BEFORE INSERT ON payment_sagas FOR EACH ROW EXECUTE FUNCTION poison_saga();
            """);

        await AwsHost.PublishThroughOutbox(worker, new PaymentRequested(Guid.NewGuid(), Guid.NewGuid(), 100, "EUR", "poison", DateTimeOffset.UtcNow));

        var sqs = TestSqs.CreateClient();
        var dlq = (await sqs.GetQueueUrlAsync($"{prefix}payment-state_dlq")).QueueUrl;
        await Sql.WaitUntil(async () => (await sqs.GetQueueAttributesAsync(dlq, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages == 1,
            TimeSpan.FromSeconds(30), "the faulting message in the dead-letter queue");
        // MassTransit's Fault<PaymentRequested> rolled back with the consumer's transaction: no row, nothing sent around the outbox.
        Assert.Equal(0, await sql.Count("outbox_messages"));
        Assert.DoesNotContain(logs.Entries, e => e.Category.EndsWith("EscapedMessageObserver", StringComparison.Ordinal));
        await worker.StopAsync();
    }
}
