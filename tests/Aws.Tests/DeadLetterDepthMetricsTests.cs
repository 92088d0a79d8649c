using Amazon.SQS.Model;
using Payments.Aws.Sqs;
using Payments.Processing.Endpoints;
using Payments.Processing.Telemetry;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// A worker that long-polls SQS reports the depth of each endpoint's dead-letter queue (<c>payments.dlq.depth</c>, tagged
/// with the queue's name), read from SQS on its refresh interval.
/// </summary>
public sealed class DeadLetterDepthMetricsTests
{
    [Fact]
    public async Task A_message_in_a_dead_letter_queue_shows_in_that_queues_depth_and_the_other_queues_report_zero()
    {
        var prefix = AwsHost.NewPrefix();
        var settings = AwsHost.Settings(await TestPostgres.CreateDatabase(), prefix);
        settings["Messaging:AmazonSqs:DeadLetterDepthInterval"] = "00:00:01";
        using var worker = await AwsHost.StartWorker(settings);
        using var metrics = new HostMetrics(worker.Services);
        var deadLetterQueues = ProcessingEndpoints.Always.Select(e => EntityNames.DeadLetterQueueFor(prefix + e.Queue)).ToList();
        var poisoned = EntityNames.DeadLetterQueueFor(prefix + ProcessingEndpoints.PaymentSaga.Queue);

        using var sqs = TestSqs.CreateClient();
        var url = (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = poisoned })).QueueUrl;
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = """{"poison":true}""" });

        CollectedMetrics? collected = null;
        await Sql.WaitUntil(() =>
        {
            collected = metrics.Collect();
            return Task.FromResult(collected.Gauge(PaymentsMeter.DeadLetterDepth, (PaymentsMeter.QueueTag, poisoned)) == 1);
        }, TimeSpan.FromSeconds(30), $"{PaymentsMeter.DeadLetterDepth} of {poisoned} to show the message");
        foreach (var queue in deadLetterQueues.Where(q => q != poisoned))
            Assert.Equal(0, collected!.Gauge(PaymentsMeter.DeadLetterDepth, (PaymentsMeter.QueueTag, queue)));
        await worker.StopAsync();
    }
}
