using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.TestSupport;
using Payments.Workers.Lambda;

namespace Payments.Aws.Tests;

/// <summary>
/// The worker's Lambda mode, run in-process against a fake Runtime API on loopback, with the real worker composition
/// on Postgres and the SQS/SNS emulator: what Lambda is told for each event decides what SQS deletes.
/// </summary>
public class LambdaRuntimeLoopTests
{
    static readonly TimeSpan Soon = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_batch_with_one_malformed_record_out_of_three_reports_exactly_that_record()
    {
        var (settings, sql, envelopes, payments) = await PaymentRequestedEnvelopes(2);
        await using var api = await LambdaFakeRuntimeApi.Start();
        await using var lambda = await RunningLambda.Start(api, settings);

        var arn = QueueArn(settings, EndpointNames.PaymentSaga);
        var id = api.Enqueue(Event(SqsEvents.Record("m-1", envelopes[0], arn), SqsEvents.Record("m-2", "{ this is not an envelope", arn), SqsEvents.Record("m-3", envelopes[1], arn)),
            DateTimeOffset.UtcNow + Soon);
        var answer = await api.NextAnswer();

        Assert.Equal(("response", id), (answer.Kind, answer.RequestId));
        Assert.Equal(["m-2"], Failures(answer));
        foreach (var payment in payments)
            Assert.Equal(1, await sql.Count("payment_sagas", $"correlation_id = '{payment}'"));
        // What the saga sent was delivered before the answer: once answered, Lambda may freeze the process.
        Assert.Equal(0, await sql.Count("outbox_messages", "enqueue_time IS NULL OR enqueue_time <= now()"));
        Assert.Equal(0, await lambda.Stop());
    }

    [Fact]
    public async Task A_malformed_event_is_posted_as_an_invocation_error_and_the_loop_goes_on()
    {
        var settings = AwsHost.Settings(await TestPostgres.CreateDatabase(), AwsHost.NewPrefix());
        await using var api = await LambdaFakeRuntimeApi.Start();
        await using var lambda = await RunningLambda.Start(api, settings);

        var notSqs = api.Enqueue("""{"detail-type":"Scheduled Event","detail":{}}""", DateTimeOffset.UtcNow + Soon);
        var notJson = api.Enqueue("not json at all", DateTimeOffset.UtcNow + Soon);
        var fine = api.Enqueue("""{"Records":[]}""", DateTimeOffset.UtcNow + Soon);

        var first = await api.NextAnswer();
        Assert.Equal(("error", notSqs, LambdaRuntimeLoop.MalformedEventError), (first.Kind, first.RequestId, first.ErrorTypeHeader));
        var error = JsonNode.Parse(first.Body)!;
        Assert.Equal(nameof(FormatException), error["errorType"]!.GetValue<string>());
        Assert.Contains("Records", error["errorMessage"]!.GetValue<string>());

        var second = await api.NextAnswer();
        Assert.Equal(("error", notJson, LambdaRuntimeLoop.MalformedEventError), (second.Kind, second.RequestId, second.ErrorTypeHeader));
        Assert.False(string.IsNullOrEmpty(JsonNode.Parse(second.Body)!["errorType"]!.GetValue<string>()));

        var third = await api.NextAnswer();
        Assert.Equal(("response", fine), (third.Kind, third.RequestId));
        Assert.Empty(Failures(third));
        Assert.Equal(0, await lambda.Stop());
    }

    [Fact]
    public async Task An_event_arriving_past_its_cut_off_is_answered_at_once_with_every_record_failed()
    {
        var (settings, sql, envelopes, payments) = await PaymentRequestedEnvelopes(3);
        settings["Payments:Lambda:StopBeforeDeadline"] = "00:00:10";
        await using var api = await LambdaFakeRuntimeApi.Start();
        await using var lambda = await RunningLambda.Start(api, settings);

        var arn = QueueArn(settings, EndpointNames.PaymentSaga);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5); // inside the 10 s margin already
        var id = api.Enqueue(Event(SqsEvents.Record("m-1", envelopes[0], arn), SqsEvents.Record("m-2", envelopes[1], arn), SqsEvents.Record("m-3", envelopes[2], arn)), deadline);
        var answer = await api.NextAnswer();

        Assert.Equal(("response", id), (answer.Kind, answer.RequestId));
        Assert.Equal(["m-1", "m-2", "m-3"], Failures(answer));
        Assert.True(answer.At < deadline, $"answered {answer.At - deadline} after the deadline");
        foreach (var payment in payments)
            Assert.Equal(0, await sql.Count("payment_sagas", $"correlation_id = '{payment}'"));
        Assert.Equal(0, await lambda.Stop());
    }

    [Fact]
    public async Task A_batch_still_running_at_the_cut_off_is_answered_before_the_deadline_with_the_unfinished_record_failed()
    {
        var database = await TestPostgres.CreateDatabase();
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Payments:Outbox:DeliveryEnabled"] = "false";
        var paymentId = Guid.NewGuid();
        string charge;
        using (var worker = await AwsHost.StartWorker(settings))
        {
            await AwsHost.PublishThroughOutbox(worker, new ChargePayment(paymentId, 900, "USD", ChargePayment.IdempotencyKeyFor(paymentId), 1));
            charge = (await new Sql(database).Query("SELECT body FROM outbox_messages", r => r.GetString(0))).Single();
            await worker.StopAsync();
        }
        settings["Payments:Lambda:StopBeforeDeadline"] = "00:00:03";
        settings["Payments:FakeGateway:Latency"] = "00:00:50"; // the gateway hangs far past the deadline
        settings["Payments:FakeGateway:CallTimeout"] = "00:01:00";
        await using var api = await LambdaFakeRuntimeApi.Start();
        await using var lambda = await RunningLambda.Start(api, settings);

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(6);
        var id = api.Enqueue(Event(SqsEvents.Record("c-1", charge, QueueArn(settings, EndpointNames.ChargePayment))), deadline);
        var answer = await api.NextAnswer();

        Assert.Equal(("response", id), (answer.Kind, answer.RequestId));
        Assert.Equal(["c-1"], Failures(answer));
        Assert.True(answer.At < deadline, $"answered {answer.At - deadline} after the deadline");
        Assert.True(answer.At > deadline - TimeSpan.FromSeconds(3.5), "the batch was given up well before its cut-off");
        Assert.Equal(0, await lambda.Stop());
    }

    [Fact]
    public async Task A_scheduled_sweep_delivers_what_a_frozen_instance_left_in_the_outbox()
    {
        var (settings, sql, _, _) = await PaymentRequestedEnvelopes(0);
        settings["Payments:Outbox:DeliveryEnabled"] = "false"; // only the sweep may deliver
        using (var frozen = await AwsHost.StartWorker(settings))
        {
            await AwsHost.PublishThroughOutbox(frozen, new PaymentRequested(Guid.NewGuid(), Guid.NewGuid(), 700, "USD", null, DateTimeOffset.UtcNow));
            await frozen.StopAsync();
        }
        Assert.Equal(1, await sql.Count("outbox_messages"));
        await using var api = await LambdaFakeRuntimeApi.Start();
        await using var lambda = await RunningLambda.Start(api, settings);

        var id = api.Enqueue("""{"version":"0","source":"aws.events","detail-type":"Scheduled Event","detail":{}}""", DateTimeOffset.UtcNow + Soon);
        var answer = await api.NextAnswer();

        Assert.Equal(("response", id), (answer.Kind, answer.RequestId));
        Assert.Equal(0, await sql.Count("outbox_messages"));
        var sqs = TestSqs.CreateClient();
        var queueUrl = (await sqs.GetQueueUrlAsync($"{settings["Messaging:AmazonSqs:EntityPrefix"]}{EndpointNames.PaymentSaga}")).QueueUrl;
        await Sql.WaitUntil(async () =>
                (await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]))
                .Attributes.Values.Any(v => v == "1"),
            TimeSpan.FromSeconds(5), "the swept message to reach the saga's queue");
        Assert.Equal(0, await lambda.Stop());
    }

    [Fact]
    public async Task A_batch_that_finishes_a_payment_sends_its_webhooks_before_the_answer_and_the_sweep_sends_their_retries()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8"; // the receiver is on loopback
        var status = 503;
        await using var receiver = await WebhookReceiver.Start((context, _) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });
        var (user, payment) = (Guid.NewGuid(), Guid.NewGuid());
        // A payment the saga is charging; the gateway's approval finishes it, and that transaction plans the webhook.
        await sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{payment}', '{user}', 900, 'USD', 'PENDING', now(), now());
            INSERT INTO payment_sagas (correlation_id, current_state, user_id, amount, currency, attempts, created_at, updated_at)
            VALUES ('{payment}', 'Charging', '{user}', 900, 'USD', 1, now(), now());
            INSERT INTO webhook_endpoints (id, user_id, url, event_types, enabled, secret, created_at, updated_at)
            VALUES (gen_random_uuid(), '{user}', '{receiver.Url}', ARRAY['payment.succeeded'], true,
                    'whsec_{Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))}', now(), now());
            """);
        settings["Payments:Outbox:DeliveryEnabled"] = "false";
        using (var worker = await AwsHost.StartWorker(settings))
        {
            await AwsHost.PublishThroughOutbox(worker, new PaymentCharged(payment, "ch_1", 1, DateTimeOffset.UtcNow));
            await worker.StopAsync();
        }
        var envelope = (await sql.Query("SELECT body FROM outbox_messages", r => r.GetString(0))).Single();
        await sql.Execute("DELETE FROM outbox_messages");
        settings.Remove("Payments:Outbox:DeliveryEnabled");
        await using var api = await LambdaFakeRuntimeApi.Start();
        await using var lambda = await RunningLambda.Start(api, settings);

        api.Enqueue(Event(SqsEvents.Record("n-1", envelope, QueueArn(settings, EndpointNames.PaymentSaga))), DateTimeOffset.UtcNow + Soon);
        var answer = await api.NextAnswer();

        Assert.Equal([], Failures(answer));
        // Attempted before the answer: once answered, the function may be frozen.
        Assert.Single(receiver.Received);
        Assert.Equal(1, await sql.Count("webhook_deliveries", "status = 'pending' AND attempts = 1 AND last_response_code = 503"));

        // The retry falls due; no background loop sends it on Lambda, the scheduled sweep does.
        status = 204;
        await sql.Execute("UPDATE webhook_deliveries SET next_attempt_at = now()");
        api.Enqueue("""{"version":"0","source":"aws.events","detail-type":"Scheduled Event","detail":{}}""", DateTimeOffset.UtcNow + Soon);
        Assert.Equal("response", (await api.NextAnswer()).Kind);
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(1, await sql.Count("webhook_deliveries", "status = 'succeeded' AND attempts = 2"));
        Assert.Equal(0, await lambda.Stop());
    }

    [Fact]
    public async Task A_host_that_cannot_start_posts_an_init_error_and_exits_non_zero()
    {
        var settings = AwsHost.Settings("Host=127.0.0.1;Port=1;Username=nobody", AwsHost.NewPrefix());
        settings["Messaging:AmazonSqs:MaxReceiveCount"] = "0";
        await using var api = await LambdaFakeRuntimeApi.Start();

        var exitCode = await LambdaWorker.Run(api.Url, () => RunningLambda.Builder(settings), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var answer = await api.NextAnswer(TimeSpan.FromSeconds(1));
        Assert.Equal(("init/error", "Runtime.ConfigInvalid"), (answer.Kind, answer.ErrorTypeHeader));
        Assert.Contains("MaxReceiveCount", JsonNode.Parse(answer.Body)!["errorMessage"]!.GetValue<string>());
    }

    /// <summary>Real MassTransit envelopes of PaymentRequested, written by a worker's bus outbox (not delivered), for payments that exist.</summary>
    static async Task<(Dictionary<string, string?> Settings, Sql Sql, List<string> Envelopes, Guid[] Payments)> PaymentRequestedEnvelopes(int count)
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Payments:Outbox:DeliveryEnabled"] = "false";
        var payments = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        using (var worker = await AwsHost.StartWorker(settings))
        {
            foreach (var id in payments)
            {
                await sql.Execute($"""
                    INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
                    VALUES ('{id}', gen_random_uuid(), 900, 'USD', 'PENDING', now(), now())
                    """);
                await AwsHost.PublishThroughOutbox(worker, new PaymentRequested(id, Guid.NewGuid(), 900, "USD", null, DateTimeOffset.UtcNow));
            }
            await worker.StopAsync();
        }
        var envelopes = await sql.Query("SELECT body FROM outbox_messages ORDER BY sequence_number", r => r.GetString(0));
        await sql.Execute("DELETE FROM outbox_messages");
        settings.Remove("Payments:Outbox:DeliveryEnabled"); // the Lambda host delivers what the saga sends
        return (settings, sql, envelopes, payments);
    }

    static string QueueArn(IDictionary<string, string?> settings, string endpoint) =>
        $"arn:aws:sqs:us-east-1:000000000000:{settings["Messaging:AmazonSqs:EntityPrefix"]}{endpoint}";

    static string Event(params JsonObject[] records) => new JsonObject { ["Records"] = new JsonArray(records) }.ToJsonString();


    static List<string> Failures(LambdaAnswer answer) =>
        JsonNode.Parse(answer.Body)!["batchItemFailures"]!.AsArray().Select(x => x!["itemIdentifier"]!.GetValue<string>()).ToList();

    /// <summary>The Lambda loop in-process until <see cref="Stop"/>; ready (initialised and polling) once started.</summary>
    sealed class RunningLambda : IAsyncDisposable
    {
        readonly CancellationTokenSource _stop = new();
        Task<int> _loop = null!;

        public static HostApplicationBuilder Builder(IDictionary<string, string?> settings)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            return builder;
        }

        public static async Task<RunningLambda> Start(LambdaFakeRuntimeApi api, IDictionary<string, string?> settings)
        {
            var lambda = new RunningLambda();
            lambda._loop = Task.Run(() => LambdaWorker.Run(api.Url, () => Builder(settings), lambda._stop.Token));
            // A warm-up event: its answer proves initialisation is over, so the tests' deadlines start from a warm function.
            var warmUp = api.Enqueue("""{"Records":[]}""", DateTimeOffset.UtcNow + Soon);
            var answer = await api.NextAnswer();
            Assert.True(answer is { Kind: "response" } && answer.RequestId == warmUp, $"warm-up answered {answer}");
            return lambda;
        }

        public async Task<int> Stop()
        {
            await _stop.CancelAsync();
            return await _loop.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_loop.IsCompleted)
                await Stop();
            _stop.Dispose();
        }
    }
}
