using System.Text.Json.Nodes;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.Processing.Analytics;
using Payments.Processing.Webhooks;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Aws.Tests.EventBridge;

/// <summary>
/// The notifications and analytics queues as targets of EventBridge rules: outcome events in EventBridge's shape, put
/// into the queues over the emulator (or handed to the Lambda entry point), are processed once whichever path brings
/// them; an event they do not take is acknowledged; a broken one ends in the dead-letter queue.
/// </summary>
public sealed class EventBridgeTargetTests : IAsyncLifetime, IDisposable
{
    readonly AmazonSQSClient _sqs = TestSqs.CreateClient();
    readonly RecordedLogs _logs = new();
    readonly string _prefix = AwsHost.NewPrefix();
    Dictionary<string, string?> _settings = null!;
    Sql _sql = null!;
    WebhookReceiver _receiver = null!;
    IHost _worker = null!;

    public async Task InitializeAsync()
    {
        var database = await TestPostgres.CreateDatabase();
        _sql = new Sql(database);
        _settings = AwsHost.Settings(database, _prefix);
        _settings["Messaging:AmazonSqs:MaxReceiveCount"] = "2";
        _settings["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:01";
        _settings["Webhooks:Delivery:PollInterval"] = "00:00:00.100";
        _settings["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8"; // the receiver is on loopback
        _receiver = await WebhookReceiver.Start();
        _worker = await AwsHost.StartWorker(_settings, _logs);
    }

    public async Task DisposeAsync()
    {
        await _worker.StopAsync();
        _worker.Dispose();
        await _receiver.DisposeAsync();
    }

    public void Dispose() => _sqs.Dispose();

    [Fact]
    public async Task An_outcome_that_comes_only_from_the_bus_is_notified_and_counted()
    {
        var outcome = await SucceededPayment();

        await SendToOutcomeQueues(BusEvents.Of(outcome, outcome.CompletedAt));

        var webhook = Assert.Single(await _receiver.WaitFor(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(outcome.EventId.ToString(), webhook.Id);
        await Sql.WaitUntil(async () => await _sql.Count("analytics_payment_outcomes", $"payment_id = '{outcome.PaymentId}'") == 1,
            TimeSpan.FromSeconds(30), "analytics to record the outcome");
    }

    [Fact]
    public async Task An_outcome_that_comes_by_the_topics_and_twice_by_the_bus_is_processed_once()
    {
        var outcome = await SucceededPayment();

        // The topics' copy (a MassTransit envelope through SNS), and the bus's copy twice: EventBridge delivers at least
        // once, and the forwarder may put an event again after a retry, under a new EventBridge id.
        await AwsHost.PublishThroughOutbox(_worker, outcome);
        await SendToOutcomeQueues(BusEvents.Of(outcome, outcome.CompletedAt));
        await SendToOutcomeQueues(BusEvents.Of(outcome, outcome.CompletedAt));

        // Both bus copies reach each consumer's inbox as one message, the event id, received twice.
        await Sql.WaitUntil(async () => await _sql.Count("inbox_states",
                $"message_id = '{outcome.EventId}' AND receive_count = 2 AND consumed IS NOT NULL") == 2,
            TimeSpan.FromSeconds(30), "both bus copies to reach the fan-out's and analytics' inbox");
        await Sql.WaitUntil(async () => await _sql.Count("inbox_states", $"message_id <> '{outcome.EventId}' AND consumed IS NOT NULL") == 2,
            TimeSpan.FromSeconds(30), "the topics' copy to be consumed by both");
        await _receiver.WaitFor(1, TimeSpan.FromSeconds(30));
        await QueuesDrained();

        Assert.Equal(1, await _sql.Count("webhook_deliveries"));
        Assert.Single(_receiver.Received);
        Assert.Equal(1, await _sql.Count("analytics_payment_outcomes"));
    }

    [Fact]
    public async Task An_event_the_queues_do_not_take_is_acknowledged_and_changes_nothing()
    {
        var detail = new JsonObject { ["refundId"] = Guid.NewGuid().ToString(), ["amount"] = 100 };
        await SendToOutcomeQueues(BusEvents.Event("payments", "DisputeOpened", detail));
        await SendToOutcomeQueues(BusEvents.Event("aws.s3", "Object Created", new JsonObject()));

        await Sql.WaitUntil(() => Task.FromResult(_logs.Entries.Count(e => e.Message.Contains("does not take", StringComparison.Ordinal)) == 4),
            TimeSpan.FromSeconds(30), "the four unknown events to be acknowledged");
        await QueuesDrained();
        Assert.Equal(0, await Depth(EntityNames.DeadLetterQueueFor(_prefix + AnalyticsConsumerDefinition.QueueName)));
        Assert.Equal(0, await Depth(EntityNames.DeadLetterQueueFor(_prefix + WebhookFanOutDefinition.QueueName)));
        Assert.Equal(0, await _sql.Count("inbox_states"));
    }

    [Fact]
    public async Task A_broken_outcome_from_the_bus_ends_in_the_dead_letter_queue_and_changes_nothing()
    {
        var outcome = await SucceededPayment();
        var broken = JsonNode.Parse(BusEvents.Of(outcome, outcome.CompletedAt))!;
        broken["detail"]!["amount"] = "lots";
        await SendToOutcomeQueues(broken.ToJsonString());

        var analyticsDlq = EntityNames.DeadLetterQueueFor(_prefix + AnalyticsConsumerDefinition.QueueName);
        var notificationsDlq = EntityNames.DeadLetterQueueFor(_prefix + WebhookFanOutDefinition.QueueName);
        await Sql.WaitUntil(async () => await Depth(analyticsDlq) == 1 && await Depth(notificationsDlq) == 1, TimeSpan.FromSeconds(60),
            "the broken event in both dead-letter queues");
        Assert.Equal(0, await _sql.Count("analytics_payment_outcomes"));
        Assert.Equal(0, await _sql.Count("webhook_deliveries"));
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task The_lambda_entry_point_takes_bus_events_and_reports_only_the_broken_one()
    {
        var outcome = await SucceededPayment();
        var broken = JsonNode.Parse(BusEvents.Of(outcome, outcome.CompletedAt))!;
        broken["detail"]!.AsObject().Remove("eventId");
        var queueArn = $"arn:aws:sqs:us-east-1:000000000000:{_prefix}{AnalyticsConsumerDefinition.QueueName}";
        var sqsEvent = new JsonObject
        {
            ["Records"] = new JsonArray(
                BusEvents.LambdaRecord("m-1", BusEvents.Of(outcome, outcome.CompletedAt), queueArn),
                BusEvents.LambdaRecord("m-2", broken.ToJsonString(), queueArn),
                BusEvents.LambdaRecord("m-3", BusEvents.Event("payments", "DisputeOpened", new JsonObject()), queueArn)),
        }.ToJsonString();

        var response = await _worker.Services.GetRequiredService<SqsBatchHandler>().Handle(sqsEvent, CancellationToken.None);

        var failures = JsonNode.Parse(response)!["batchItemFailures"]!.AsArray().Select(x => x!["itemIdentifier"]!.GetValue<string>());
        Assert.Equal(["m-2"], failures);
        Assert.Equal(1, await _sql.Count("analytics_payment_outcomes", $"payment_id = '{outcome.PaymentId}'"));
    }

    /// <summary>A payment that reached SUCCESS, whose owner has a webhook endpoint; its outcome not yet published anywhere.</summary>
    async Task<PaymentSucceeded> SucceededPayment()
    {
        var (user, payment) = (Guid.NewGuid(), Guid.NewGuid());
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, charge_id, created_at, updated_at, completed_at)
            VALUES ('{payment}', '{user}', 1999, 'EUR', 'SUCCESS', 'ch_1', now() - interval '3 seconds', now(), now());
            INSERT INTO webhook_endpoints (id, user_id, url, event_types, enabled, secret, created_at, updated_at)
            VALUES (gen_random_uuid(), '{user}', '{_receiver.Url}', ARRAY['payment.succeeded'], true,
                    'whsec_{Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))}', now(), now());
            """);
        return new PaymentSucceeded(OutcomeEventId.For(payment), payment, user, 1999, "EUR", "ch_1", DateTimeOffset.UtcNow);
    }

    /// <summary>What the rules' SQS targets do: the event as the message body, no attributes.</summary>
    async Task SendToOutcomeQueues(string body)
    {
        foreach (var queue in new[] { WebhookFanOutDefinition.QueueName, AnalyticsConsumerDefinition.QueueName })
            await _sqs.SendMessageAsync((await _sqs.GetQueueUrlAsync(_prefix + queue)).QueueUrl, body);
    }

    async Task QueuesDrained() =>
        await Sql.WaitUntil(async () => await Depth(_prefix + WebhookFanOutDefinition.QueueName) == 0 && await Depth(_prefix + AnalyticsConsumerDefinition.QueueName) == 0,
            TimeSpan.FromSeconds(30), "the outcome queues to be empty");

    /// <summary>Messages waiting or in flight.</summary>
    async Task<int> Depth(string queue)
    {
        var url = (await _sqs.GetQueueUrlAsync(queue)).QueueUrl;
        var attributes = (await _sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])).Attributes;
        return int.Parse(attributes["ApproximateNumberOfMessages"]) + int.Parse(attributes["ApproximateNumberOfMessagesNotVisible"]);
    }
}
