using System.Diagnostics;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Aws.DeadLetters;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Persistence.Payments;
using Payments.TestSupport;
using Payments.Workers.DeadLetters;
using Xunit.Abstractions;

namespace Payments.Aws.Tests;

/// <summary>
/// Poison messages end in the endpoint's dead-letter queue after MaxReceiveCount receives, and the worker's
/// <c>dlq</c> verb lists, shows and moves them back, deleting a dead letter only after it was re-sent.
/// </summary>
public sealed class DeadLetterTests(ITestOutputHelper output) : IDisposable
{
    readonly AmazonSQSClient _sqs = TestSqs.CreateClient();

    public void Dispose() => _sqs.Dispose();

    [Fact]
    public async Task A_poison_payment_dead_letters_after_three_receives_and_succeeds_once_replayed_after_the_fault_is_fixed()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var prefix = AwsHost.NewPrefix();
        var settings = AwsHost.Settings(database, prefix);
        settings["Messaging:AmazonSqs:MaxReceiveCount"] = "3";
        settings["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:01";
        settings["Payments:FakeGateway:TransientFailureRate"] = "0";
        settings["Payments:FakeGateway:TimeoutRate"] = "0";
        var clock = Stopwatch.StartNew();
        using var worker = await AwsHost.StartWorker(settings);

        var paymentId = Guid.NewGuid();
        // The "bug": the saga cannot store this payment. RAISE is not a retryable database conflict, so each receive
        // faults at once; the sequence counts the attempts (nextval survives the rollback).
        await sql.Execute($"""
            CREATE SEQUENCE poison_attempts;
            CREATE FUNCTION poison_saga() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.correlation_id = '{paymentId}' THEN
                PERFORM nextval('poison_attempts');
                RAISE EXCEPTION 'poison payment %', NEW.correlation_id;
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER poison BEFORE INSERT ON payment_sagas FOR EACH ROW EXECUTE FUNCTION poison_saga();
            """);

        await using (var scope = worker.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            var now = DateTimeOffset.UtcNow;
            var userId = Guid.NewGuid();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Payments.Add(new Payment
            {
                Id = paymentId, UserId = userId, Amount = 1_000, Currency = "INR", Status = PaymentStatus.Pending, CreatedAt = now, UpdatedAt = now,
            });
            await publish.Publish(new PaymentRequested(paymentId, userId, 1_000, "INR", "poison", now));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        var dlq = await QueueUrl($"{prefix}payment-state_dlq");
        await Sql.WaitUntil(async () => (await Depth(dlq)).Visible == 1, TimeSpan.FromSeconds(30), "the poison message in the dead-letter queue");
        var deadLettered = clock.Elapsed;
        Assert.Equal(3, (await sql.Query("SELECT last_value FROM poison_attempts", r => r.GetInt64(0))).Single());
        Assert.Equal(0, await sql.Count("payments", $"id = '{paymentId}' AND status <> 'PENDING'"));
        Assert.Equal(0, await sql.Count("payment_sagas"));

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var shown = new StringWriter();
        Assert.Equal(0, await DeadLetterCommand.Run(["show", "payment-state"], configuration, shown));
        Assert.Contains("urn:message:Payments.Contracts:PaymentRequested", shown.ToString());
        Assert.Contains(paymentId.ToString(), shown.ToString());
        Assert.Equal(1, (await Depth(dlq)).Visible); // a peek leaves it where it was

        // The fault is fixed; the replay hands the very same envelope back to the saga.
        await sql.Execute("DROP TRIGGER poison ON payment_sagas");
        var replayed = new StringWriter();
        var exit = await DeadLetterCommand.Run(["replay", "payment-state", "--all"], configuration, replayed);
        output.WriteLine(shown + replayed.ToString());
        Assert.Equal(0, exit);
        Assert.Contains("moved 1, left 0", replayed.ToString());

        await Sql.WaitUntil(async () => await sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'") == 1, TimeSpan.FromSeconds(30),
            "the replayed payment to succeed");
        Assert.Equal(new QueueDepth(0, 0), await Depth(dlq));
        Assert.Equal(3, (await sql.Query("SELECT last_value FROM poison_attempts", r => r.GetInt64(0))).Single());
        output.WriteLine($"dead-lettered after {deadLettered.TotalSeconds:0.0}s, succeeded after replay at {clock.Elapsed.TotalSeconds:0.0}s");
        await worker.StopAsync();
    }

    [Fact]
    public async Task Replay_moves_only_what_was_selected_with_body_and_attributes_unchanged_and_a_dry_run_moves_nothing()
    {
        var prefix = AwsHost.NewPrefix();
        var configuration = Configuration(prefix);
        var source = await CreateQueue($"{prefix}charge-payment");
        var dlq = await CreateQueue($"{prefix}charge-payment_dlq");

        var sent = new List<(string SqsId, string EnvelopeId, string Body)>();
        for (var i = 0; i < 3; i++)
        {
            var envelopeId = NewId.NextGuid().ToString();
            var body = $$$"""{"messageId":"{{{envelopeId}}}","messageType":["urn:message:Payments.Contracts:ChargePayment"],"message":{"n":{{{i}}}}}""";
            var response = await _sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = dlq,
                MessageBody = body,
                MessageAttributes = new()
                {
                    ["Content-Type"] = new() { DataType = "String", StringValue = "application/vnd.masstransit+json" },
                    ["Attempt"] = new() { DataType = "Number", StringValue = $"{i + 1}" },
                    // The trace context the SQS bridge carries: a replayed message continues its payment's trace.
                    ["MT-Activity-Id"] = new() { DataType = "String", StringValue = TraceParent(i + 1) },
                },
            });
            sent.Add((response.MessageId, envelopeId, body));
        }

        var dry = await Command(configuration, "replay", "charge-payment", "--all", "--dry-run");
        Assert.Equal(0, dry.Exit);
        Assert.Equal(3, dry.Output.Split('\n').Count(l => l.StartsWith("would move", StringComparison.Ordinal)));
        Assert.Contains("would move 3, left 0", dry.Output);
        Assert.Equal(new QueueDepth(0, 0), await Depth(source));
        Assert.Equal(new QueueDepth(3, 0), await Depth(dlq));

        // By the SQS message id.
        var one = await Command(configuration, "replay", "charge-payment", "--message-id", sent[1].SqsId);
        Assert.Equal(0, one.Exit);
        Assert.Contains("moved 1, left 2", one.Output);
        var first = Assert.Single(await Drain(source, expected: 1));
        AssertSame(sent[1], first);
        Assert.Equal(2, (await Depth(dlq)).Visible);

        // By MassTransit's message id; one that is gone is an error.
        var missing = await Command(configuration, "replay", "charge-payment", "--message-id", sent[1].EnvelopeId);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("moved 0", missing.Output);

        var counted = await Command(configuration, "replay", "charge-payment", "--count", "1");
        Assert.Equal(0, counted.Exit);
        Assert.Contains("moved 1,", counted.Output);
        var second = Assert.Single(await Drain(source, expected: 1));
        Assert.Equal(1, (await Depth(dlq)).Visible);

        var rest = await Command(configuration, "replay", "charge-payment", "--all");
        Assert.Equal(0, rest.Exit);
        Assert.Contains("moved 1, left 0", rest.Output);
        var third = Assert.Single(await Drain(source, expected: 1));
        Assert.Equal(new QueueDepth(0, 0), await Depth(dlq));

        var byId = sent.ToDictionary(s => s.SqsId);
        var others = new[] { second, third }.Select(m => sent.Single(s => s.Body == m.Body)).ToList();
        Assert.Equal(new[] { sent[0].SqsId, sent[2].SqsId }.Order(), others.Select(o => o.SqsId).Order());
        AssertSame(others[0], second);
        AssertSame(others[1], third);
        Assert.DoesNotContain(second.MessageId, byId.Keys); // a new SQS message, the same MassTransit envelope
    }

    [Fact]
    public async Task An_interrupted_replay_stops_after_the_message_in_hand_and_loses_nothing()
    {
        var prefix = AwsHost.NewPrefix();
        var source = await CreateQueue($"{prefix}reconcile-charge");
        var dlq = await CreateQueue($"{prefix}reconcile-charge_dlq");
        for (var i = 0; i < 3; i++)
            await _sqs.SendMessageAsync(dlq, $$"""{"n":{{i}}}""");

        // Ctrl+C arrives while the first message is reported as moved.
        using var interrupt = new CancellationTokenSource();
        var writer = new InterruptingWriter(interrupt, "moved ");
        var exit = await DeadLetterCommand.Run(["replay", "reconcile-charge", "--all"], Configuration(prefix), writer, null, interrupt.Token);
        output.WriteLine(writer.ToString());

        Assert.Equal(1, exit);
        Assert.Contains("interrupted: moved 1, left 2", writer.ToString());
        Assert.Single(await Drain(source, expected: 1));
        Assert.Equal(new QueueDepth(2, 0), await Depth(dlq)); // the other two are visible again at once
    }

    sealed class InterruptingWriter(CancellationTokenSource interrupt, string trigger) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(trigger, StringComparison.Ordinal) == true)
                interrupt.Cancel();
        }
    }

    [Fact]
    public async Task List_prints_every_endpoint_queue_and_its_dead_letter_queue_with_their_depth()
    {
        var prefix = AwsHost.NewPrefix();
        var configuration = Configuration(prefix);
        foreach (var endpoint in DeadLetterQueues.Endpoints)
        {
            await CreateQueue(prefix + endpoint);
            await CreateQueue(prefix + endpoint + "_dlq");
        }
        var chargeDlq = await QueueUrl($"{prefix}charge-payment_dlq");
        await _sqs.SendMessageAsync(chargeDlq, """{"a":1}""");
        await _sqs.SendMessageAsync(chargeDlq, """{"a":2}""");
        await _sqs.SendMessageAsync(await QueueUrl($"{prefix}payment-state"), """{"b":1}""");

        var list = await Command(configuration, "list");
        output.WriteLine(list.Output);
        Assert.Equal(0, list.Exit);
        var rows = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells[0].StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(cells => cells[0][prefix.Length..], cells => cells[1..]);
        Assert.Equal(DeadLetterQueues.Endpoints.Order(), rows.Keys.Order());
        Assert.Equal(["1", "0", $"{prefix}payment-state_dlq", "0", "0"], rows["payment-state"]);
        Assert.Equal(["0", "0", $"{prefix}charge-payment_dlq", "2", "0"], rows["charge-payment"]);
        Assert.Equal(["0", "0", $"{prefix}reconcile-charge_dlq", "0", "0"], rows["reconcile-charge"]);

        // Queues that are not there (a wrong prefix) are shown as missing and fail the command.
        var wrongPrefix = await Command(Configuration(AwsHost.NewPrefix()), "list");
        Assert.Equal(1, wrongPrefix.Exit);
        Assert.Contains("missing", wrongPrefix.Output);
    }

    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("list", "payment-state")]
    [InlineData("show")]
    [InlineData("show", "payment-state", "--max", "0")]
    [InlineData("show", "payment-state", "--all")]
    [InlineData("replay", "payment-state")]
    [InlineData("replay", "payment-state", "--all", "--count", "2")]
    [InlineData("replay", "payment-state", "--count", "x")]
    [InlineData("replay", "payment-state", "--message-id")]
    [InlineData("replay", "no-such-queue", "--all")]
    public async Task A_usage_error_prints_the_usage_and_exits_with_2(params string[] args)
    {
        var result = await Command(Configuration(AwsHost.NewPrefix()), args);
        Assert.Equal(2, result.Exit);
        Assert.Contains("usage: dlq list", result.Output);
    }

    IConfiguration Configuration(string prefix) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Messaging:Transport"] = "AmazonSqs",
        ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
        ["Messaging:AmazonSqs:EntityPrefix"] = prefix,
    }).Build();

    async Task<(int Exit, string Output)> Command(IConfiguration configuration, params string[] args)
    {
        var writer = new StringWriter();
        var exit = await DeadLetterCommand.Run(args, configuration, writer);
        output.WriteLine($"dlq {string.Join(' ', args)} → {exit}\n{writer}");
        return (exit, writer.ToString());
    }

    static void AssertSame((string SqsId, string EnvelopeId, string Body) expected, Message actual)
    {
        Assert.Equal(expected.Body, actual.Body);
        Assert.Equal(["Attempt", "Content-Type", "MT-Activity-Id"], actual.MessageAttributes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("application/vnd.masstransit+json", actual.MessageAttributes["Content-Type"].StringValue);
        Assert.Equal("String", actual.MessageAttributes["Content-Type"].DataType);
        Assert.Equal("Number", actual.MessageAttributes["Attempt"].DataType);
        var attempt = int.Parse(actual.MessageAttributes["Attempt"].StringValue);
        Assert.Contains($"\"n\":{attempt - 1}", expected.Body);
        Assert.Equal(TraceParent(attempt), actual.MessageAttributes["MT-Activity-Id"].StringValue);
    }

    static string TraceParent(int n) => $"00-{n:x32}-{n:x16}-01";

    async Task<string> CreateQueue(string name) => (await _sqs.CreateQueueAsync(name)).QueueUrl;

    async Task<string> QueueUrl(string name) => (await _sqs.GetQueueUrlAsync(name)).QueueUrl;

    async Task<QueueDepth> Depth(string queueUrl)
    {
        var attributes = (await _sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]))
            .Attributes ?? [];
        return new QueueDepth(int.Parse(attributes["ApproximateNumberOfMessages"]), int.Parse(attributes["ApproximateNumberOfMessagesNotVisible"]));
    }

    /// <summary>Receives and deletes what the source queue holds, waiting for <paramref name="expected"/> messages (and one more second for extras).</summary>
    async Task<List<Message>> Drain(string queueUrl, int expected)
    {
        var messages = new List<Message>();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, MessageAttributeNames = ["All"],
            });
            var got = response.Messages ?? [];
            foreach (var message in got)
            {
                messages.Add(message);
                await _sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
            }
            if (got.Count == 0 && messages.Count >= expected)
                break;
        }
        return messages;
    }
}
