using System.Diagnostics;
using System.Net;
using Amazon.SQS;
using Amazon.SQS.Model;
using Npgsql;
using Payments.Aws.DeadLetters;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Persistence.Analytics;
using Payments.Processing.Endpoints;
using Payments.Processing.Webhooks;
using Payments.Sagas;
using Payments.TestSupport;
using Payments.Workers.DeadLetters;
using Xunit.Abstractions;

namespace Payments.Aws.Tests.Reliability;

/// <summary>
/// The chaos run: the API (Role=Api, real HTTP pipeline), real worker processes, the SQS/SNS emulator, a Postgres
/// cluster of the run's own and a gateway that fails half of its calls and loses 5 % of its answers. While clients
/// create payments (retrying with the same idempotency key, as a client should), workers are killed with SIGKILL at
/// random moments, Postgres is restarted in immediate mode, and a burst of poison messages lands on the saga's
/// queue. Afterwards every invariant is checked and printed as a table. The test command runs the short form;
/// <c>PAYMENTS_RELIABILITY=long</c> (bench/reliability.sh) the long one; <c>PAYMENTS_RELIABILITY_SEED</c> replays a run's
/// chaos plan; <c>PAYMENTS_RELIABILITY_REPORT=path</c> also writes path.md and path.json.
/// </summary>
public class ChaosRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    sealed record Scale(string Name, int Payments, int Clients, int Kills, int PostgresRestarts, int Poison, int RefundedPayments, TimeSpan Settle);

    static readonly Scale Run = Environment.GetEnvironmentVariable("PAYMENTS_RELIABILITY") == "long"
        ? new("long", 3000, 32, 8, 3, 100, 600, TimeSpan.FromMinutes(6))
        : new("short", 300, 16, 2, 1, 10, 60, TimeSpan.FromMinutes(3));

    readonly int _seed = int.TryParse(Environment.GetEnvironmentVariable("PAYMENTS_RELIABILITY_SEED"), out var s) ? s : Random.Shared.Next();
    readonly List<string> _events = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    OwnPostgres _postgres = null!;
    WorkerProcesses _workers = null!;
    ApiFactory _api = null!;
    Sql _db = null!;
    Sql _ledger = null!;
    string _prefix = null!;
    AmazonSQSClient _sqs = null!;
    DeadLetterQueues _queues = null!;
    MerchantReceiver _merchant = null!;

    public async Task InitializeAsync()
    {
        _postgres = await OwnPostgres.Start();
        await _postgres.CreateDatabase("payments");
        var database = _postgres.ConnectionString("payments");
        await DatabaseMigrator.Migrate(database);
        _db = new Sql(database);
        // The gateway's ledger lives elsewhere (on the shared test server), as a card network's would: our restart is not its.
        var ledger = await TestPostgres.CreateDatabase();
        _ledger = new Sql(ledger);

        _prefix = AwsHost.NewPrefix();
        var settings = AwsHost.Settings(database, _prefix);
        foreach (var (key, value) in new Dictionary<string, string?>
                 {
                     ["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:05",
                     ["Messaging:AmazonSqs:ConcurrencyPerQueue"] = "32",
                     ["Payments:Saga:ChargeTimeout"] = "00:00:05",
                     ["Payments:Saga:RetryBaseDelay"] = "00:00:00.020",
                     ["Payments:Saga:RetryMaxDelay"] = "00:00:00.200",
                     ["Payments:Saga:MaxAttempts"] = "25",
                     ["Payments:FakeGateway:TransientFailureRate"] = "0.5",
                     ["Payments:FakeGateway:TimeoutRate"] = "0.05",
                     ["Payments:FakeGateway:Latency"] = "00:00:00.002",
                     ["Payments:FakeGateway:LedgerConnectionString"] = ledger,
                     // The merchants' receiver is on loopback; a killed worker's claimed deliveries come back within seconds.
                     ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
                     ["Webhooks:Delivery:Timeout"] = "00:00:02",
                     ["Webhooks:Delivery:LeaseMargin"] = "00:00:03",
                     // Any attempt can fail twice here (the receiver's deliberate 500, then a 2 s timeout on a busy machine, or
                     // the other way round); with the production schedule the third try is 5 min away, past the run's wait.
                     ["Webhooks:Delivery:RetryDelays:0"] = "00:00:01",
                     ["Webhooks:Delivery:RetryDelays:1"] = "00:00:02",
                     ["Webhooks:Delivery:RetryDelays:2"] = "00:00:04",
                     ["Webhooks:Delivery:RetryDelays:3"] = "00:00:08",
                     ["Webhooks:Delivery:RetryDelays:4"] = "00:00:08",
                     ["Webhooks:Delivery:RetryDelays:5"] = "00:00:08",
                     ["Webhooks:Delivery:RetryDelays:6"] = "00:00:08",
                 })
            settings[key] = value;

        _merchant = await MerchantReceiver.Start(new Random(_seed));
        _workers = new WorkerProcesses(settings);
        _workers.Start();
        _api = ApiFactory.StartOn(database, new Dictionary<string, string?>(settings) { ["Payments:Role"] = "Api" });
        _sqs = TestSqs.CreateClient();
        _queues = new DeadLetterQueues(_sqs, new AwsMessagingOptions { EntityPrefix = _prefix });
        await Sql.WaitUntil(async () => await _queues.Depth(_queues.QueueName(EndpointNames.PaymentSaga), CancellationToken.None) is not null,
            TimeSpan.FromSeconds(60), "the worker to provision its queues");
    }

    public async Task DisposeAsync()
    {
        _workers.Dispose();
        await _api.DisposeAsync();
        await _merchant.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
        _sqs.Dispose();
    }

    [Fact]
    public async Task Kills_a_database_restart_a_flaky_gateway_and_poison_lose_no_payment_and_charge_none_twice()
    {
        var random = new Random(_seed);
        Log($"{Run.Name} run, seed {_seed}: {Run.Payments} payments by {Run.Clients} clients, {Run.Kills} worker kills, " +
            $"{Run.PostgresRestarts} Postgres restarts, {Run.Poison} poison messages; gateway 50 % transient failures, 5 % lost answers; " +
            $"every user has a webhook endpoint whose receiver fails a fifth of first attempts; the first {Run.RefundedPayments} payments to " +
            "succeed are refunded in two parts while the chaos goes on");

        var clients = new Clients(_api, Run.Clients);
        var refunds = new RefundClients(_api, _db, Run.RefundedPayments, concurrency: 8);
        await clients.RegisterWebhookEndpoints(_merchant.Url);
        var creating = clients.CreateAll(Run.Payments);
        var refunding = refunds.RefundAsPaymentsSucceed(() => creating.IsCompleted);
        await Chaos(random, clients);
        var created = await creating;
        await refunding;
        Log($"{refunds.Created} refunds created ({refunds.Retried} answers retried)");

        await SettleOrDump();
        using (var probe = new NpgsqlConnection(_db.ConnectionString))
            NpgsqlConnection.ClearPool(probe); // idle connections of the test's own that a restart broke
        var table = await Invariants(created, clients);
        await RefundInvariants(table);
        var text = table.Render(_events);
        output.WriteLine(text);
        if (Environment.GetEnvironmentVariable("PAYMENTS_RELIABILITY_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report + ".md", "# Reliability run\n\n" + text);
            await File.WriteAllTextAsync(report + ".json", table.Json(_events));
        }
        Assert.True(table.AllHold, "an invariant does not hold; see the table above");
    }

    // Kills, restarts and the poison burst at random points of the run, in the order they fall: while payments are
    // created and while they are processed.
    async Task Chaos(Random random, Clients clients)
    {
        var plan = Enumerable.Range(0, Run.Kills).Select(_ => (At: random.NextDouble(), What: "kill"))
            .Concat(Enumerable.Range(0, Run.PostgresRestarts).Select(_ => (At: random.NextDouble(), What: "restart")))
            .Append((At: random.NextDouble(), What: "poison"))
            .Select(x => x with { At = 0.05 + 0.85 * x.At })
            .OrderBy(x => x.At)
            .ToList();

        foreach (var (at, what) in plan)
        {
            while (await Progress(clients) < at)
                await Task.Delay(50);
            await Task.Delay(random.Next(0, 300));
            switch (what)
            {
                case "kill":
                    await _workers.KillNewest();
                    Log($"SIGKILL to a worker after {clients.Created} payments were created; a new one started");
                    _workers.Start();
                    break;
                case "restart":
                    var down = Stopwatch.StartNew();
                    await _postgres.Restart();
                    Log($"Postgres restarted (immediate) after {clients.Created} payments were created; accepting connections again after {down.ElapsedMilliseconds} ms");
                    break;
                case "poison":
                    await PoisonBurst();
                    Log($"{Run.Poison} poison messages sent to payment-state after {clients.Created} payments were created");
                    break;
            }
        }
    }

    // Half creation, half processing: (created + terminal) / (2 × payments).
    async Task<double> Progress(Clients clients)
    {
        var terminal = await TryCount("payments", "status <> 'PENDING'") ?? 0;
        return (clients.Created + terminal) / (2.0 * Run.Payments);
    }

    async Task PoisonBurst()
    {
        var url = (await _sqs.GetQueueUrlAsync(_queues.QueueName(EndpointNames.PaymentSaga))).QueueUrl;
        foreach (var chunk in Enumerable.Range(0, Run.Poison).Chunk(10))
            await _sqs.SendMessageBatchAsync(url, chunk.Select(i => new SendMessageBatchRequestEntry($"p{i}", $"poison-{i}: not an envelope {{")).ToList());
    }

    async Task SettleOrDump()
    {
        try
        {
            await Sql.WaitUntil(async () => await TryCount("payments", "status = 'PENDING'") == 0
                                            && await TryCount("refunds", "status = 'PENDING'") == 0, Run.Settle,
                "every created payment and refund to reach a terminal state");
            Log($"every payment terminal at {_clock.Elapsed.TotalSeconds:F0} s");
            // Poison needs MaxReceiveCount receives, a visibility timeout apart, to reach the dead-letter queue.
            await Sql.WaitUntil(async () => await Queued(EndpointNames.PaymentSaga) == 0 && await Queued(EndpointNames.RefundSaga) == 0
                                            && await TryCount("outbox_messages") == 0,
                TimeSpan.FromSeconds(90), "queues and outbox to drain");
            // A failed attempt is due again within 8 s (the run's schedule); a killed sender's lease runs out within 5 s.
            await Sql.WaitUntil(async () => await TryCount("webhook_deliveries", "status = 'pending'") == 0,
                TimeSpan.FromSeconds(60), "every webhook to be delivered");
            await Sql.WaitUntil(async () => await TryCount("analytics_payment_outcomes") == await TryCount("payments", "status <> 'PENDING'"),
                TimeSpan.FromSeconds(60), "every outcome to be recorded by analytics");
        }
        catch (TimeoutException)
        {
            output.WriteLine(string.Join('\n', _events));
            foreach (var row in await _db.Query(
                         "SELECT id, attempts, next_attempt_at, lease_until, last_response_code, last_error FROM webhook_deliveries WHERE status <> 'succeeded'",
                         r => $"undelivered {r.GetGuid(0)}: {r.GetInt32(1)} attempts, next {r.GetValue(2)}, lease {r.GetValue(3)}, last {r.GetValue(4)} {r.GetValue(5)}"))
                output.WriteLine(row);
            output.WriteLine(_workers.LogTail(20_000));
            throw;
        }
    }

    async Task<InvariantTable> Invariants(IReadOnlyList<Guid> created, Clients clients)
    {
        var payments = await _db.Query("SELECT id, status, amount, charge_id FROM payments",
            r => (Id: r.GetGuid(0), Status: r.GetString(1), Amount: r.GetInt64(2), ChargeId: r.IsDBNull(3) ? null : r.GetString(3)));
        var approved = await _ledger.Query("SELECT payment_id, amount, charge_id, requests FROM fake_gateway_ledger WHERE approved",
            r => (PaymentId: r.GetGuid(0), Amount: r.GetInt64(1), ChargeId: r.GetString(2), Requests: r.GetInt32(3)));
        var chargesPerPayment = approved.GroupBy(x => x.PaymentId).ToDictionary(g => g.Key, g => g.ToList());
        var byId = payments.ToDictionary(p => p.Id);

        var succeeded = payments.Where(p => p.Status == "SUCCESS").ToList();
        var failed = payments.Where(p => p.Status == "FAILED").ToList();
        var successMismatch = succeeded.Count(p => !chargesPerPayment.TryGetValue(p.Id, out var c) || c.Count != 1
                                                   || c[0].Amount != p.Amount || c[0].ChargeId != p.ChargeId);
        var dead = await DeadLetters();

        var table = new InvariantTable();
        table.Add("every 201 has its payment row", created.Count, created.Count(byId.ContainsKey));
        table.Add("one payment per idempotency key (no duplicates)", Run.Payments, payments.Count);
        table.Add("payments still PENDING", 0, payments.Count(p => p.Status == "PENDING"));
        table.Add("payments charged more than once", 0, chargesPerPayment.Count(c => c.Value.Count > 1));
        table.Add("SUCCESS without exactly one matching charge", 0, successMismatch);
        table.Add("FAILED with a charge", 0, failed.Count(p => chargesPerPayment.ContainsKey(p.Id)));
        table.Add("charges for no SUCCESS payment", 0, chargesPerPayment.Keys.Count(id => !byId.TryGetValue(id, out var p) || p.Status != "SUCCESS"));
        table.Add("outbox rows left", 0, await _db.Count("outbox_messages"));
        table.Add("poison messages in payment-state_dlq", Run.Poison, dead.Poison);
        table.Add("payment messages in a dead-letter queue", 0, dead.Other);
        table.Add("messages left in the worker queues", 0, dead.LeftInQueues);
        var webhooks = await Webhooks(payments.Where(p => p.Status != "PENDING").Select(p => p.Id).ToList());
        table.Add("outcomes without a webhook delivery to their owner's endpoint", 0, webhooks.Unplanned);
        table.Add("webhook deliveries not delivered", 0, webhooks.NotDelivered);
        table.Add("webhooks marked delivered without a 2xx at the receiver", 0, webhooks.DeliveredWithout2xx);
        table.Add("analytics: incremental figures differ from a rebuild", 0,
            (await _db.Query(AnalyticsSql.DifferingFigures, r => r.GetInt32(0))).Single());
        table.Note($"{succeeded.Count} SUCCESS, {failed.Count} FAILED (declined by the card rule or out of attempts); " +
                   $"{approved.Count(a => a.Requests > 1)} charges were requested again after a crash or a lost answer and answered from the ledger; " +
                   $"clients got {clients.Retried} non-201 answers or connection errors and retried with the same key; " +
                   $"the merchants' receiver got {_merchant.Requests} webhook requests, failed {_merchant.Failed} first attempts on purpose, " +
                   $"and saw {_merchant.Duplicates} webhook-ids again after a 2xx (at least once: a worker killed between the 2xx and its record)");
        return table;
    }

    /// <summary>
    /// The refunds' invariants: each against the gateway's own ledger of refunds (on another database, as a card network's
    /// would be) and against the payment's amounts.
    /// </summary>
    async Task RefundInvariants(InvariantTable table)
    {
        var refunds = await _db.Query("SELECT id, payment_id, status, amount, gateway_refund_id FROM refunds",
            r => (Id: r.GetGuid(0), PaymentId: r.GetGuid(1), Status: r.GetString(2), Amount: r.GetInt64(3), GatewayId: r.IsDBNull(4) ? null : r.GetString(4)));
        var executed = await _ledger.Query("SELECT refund_id, amount, refund_id_at_gateway, requests FROM fake_gateway_refunds WHERE approved",
            r => (RefundId: r.GetGuid(0), Amount: r.GetInt64(1), GatewayId: r.GetString(2), Requests: r.GetInt32(3)));
        var charged = (await _ledger.Query("SELECT payment_id, amount FROM fake_gateway_ledger WHERE approved", r => (r.GetGuid(0), r.GetInt64(1))))
            .GroupBy(c => c.Item1).ToDictionary(g => g.Key, g => g.Sum(c => c.Item2));
        var amounts = await _db.Query("SELECT id, amount_refunded, refund_reserved FROM payments",
            r => (Id: r.GetGuid(0), Refunded: r.GetInt64(1), Reserved: r.GetInt64(2)));
        var executedPerRefund = executed.GroupBy(e => e.RefundId).ToDictionary(g => g.Key, g => g.ToList());
        var byId = refunds.ToDictionary(r => r.Id);
        var succeeded = refunds.Where(r => r.Status == "SUCCEEDED").ToList();
        var refundedPerPayment = succeeded.GroupBy(r => r.PaymentId).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));
        var heldPerPayment = refunds.Where(r => r.Status != "FAILED").GroupBy(r => r.PaymentId).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));
        var givenBackPerPayment = executed.Where(e => byId.ContainsKey(e.RefundId)).GroupBy(e => byId[e.RefundId].PaymentId)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Amount));

        table.Add("refunds still PENDING", 0, refunds.Count(r => r.Status == "PENDING"));
        table.Add("payments given back more than was charged (gateway)", 0,
            givenBackPerPayment.Count(p => p.Value > charged.GetValueOrDefault(p.Key)));
        table.Add("payments whose SUCCEEDED refunds exceed the charge", 0,
            refundedPerPayment.Count(p => p.Value > charged.GetValueOrDefault(p.Key)));
        table.Add("refunds executed more than once at the gateway", 0, executedPerRefund.Count(e => e.Value.Count > 1));
        table.Add("SUCCEEDED without exactly one matching gateway refund", 0, succeeded.Count(r =>
            !executedPerRefund.TryGetValue(r.Id, out var e) || e.Count != 1 || e[0].Amount != r.Amount || e[0].GatewayId != r.GatewayId));
        table.Add("gateway refunds for no SUCCEEDED refund", 0,
            executedPerRefund.Keys.Count(id => !byId.TryGetValue(id, out var r) || r.Status != "SUCCEEDED"));
        table.Add("payments whose amount_refunded or refund_reserved disagree with their refunds", 0, amounts.Count(p =>
            p.Refunded != refundedPerPayment.GetValueOrDefault(p.Id) || p.Reserved != heldPerPayment.GetValueOrDefault(p.Id)));
        var planned = (await _db.Query("SELECT event_id FROM webhook_deliveries", r => r.GetGuid(0))).ToHashSet();
        table.Add("refund outcomes without a webhook delivery to their owner's endpoint", 0,
            refunds.Count(r => r.Status != "PENDING" && !planned.Contains(OutcomeEventId.For(r.Id))));
        table.Note($"{refunds.Count} refunds: {succeeded.Count} SUCCEEDED, {refunds.Count(r => r.Status == "FAILED")} FAILED; " +
                   $"{executed.Count} approved at the gateway, {executed.Count(e => e.Requests > 1)} of them requested again after a crash or a " +
                   "lost answer and answered from the ledger");
    }

    sealed record WebhookCount(int Unplanned, int NotDelivered, int DeliveredWithout2xx);

    async Task<WebhookCount> Webhooks(IReadOnlyList<Guid> terminal)
    {
        var deliveries = await _db.Query("SELECT event_id, status FROM webhook_deliveries",
            r => (EventId: r.GetGuid(0), Status: r.GetString(1)));
        var planned = deliveries.Select(d => d.EventId).ToHashSet();
        return new WebhookCount(
            terminal.Count(id => !planned.Contains(OutcomeEventId.For(id))),
            deliveries.Count(d => d.Status != "succeeded"),
            deliveries.Count(d => d.Status == "succeeded" && !_merchant.Acknowledged(d.EventId)));
    }

    sealed record DeadLetterCount(int Poison, int Other, int LeftInQueues);

    async Task<DeadLetterCount> DeadLetters()
    {
        int poison = 0, other = 0, left = 0;
        foreach (var endpoint in ProcessingEndpoints.Always.Select(e => e.Queue))
        {
            left += await Queued(endpoint);
            var dlq = (await _sqs.GetQueueUrlAsync(_queues.DeadLetterQueueName(endpoint))).QueueUrl;
            var seen = new HashSet<string>();
            for (var empty = 0; empty < 3;)
            {
                // Read without consuming: the messages come back after the visibility timeout, for an operator to replay.
                var batch = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest(dlq) { MaxNumberOfMessages = 10, VisibilityTimeout = 60, WaitTimeSeconds = 1 });
                var fresh = (batch.Messages ?? []).Where(m => seen.Add(m.MessageId)).ToList();
                if (fresh.Count == 0) { empty++; continue; }
                foreach (var m in fresh)
                    if (endpoint == EndpointNames.PaymentSaga && m.Body.StartsWith("poison-", StringComparison.Ordinal)) poison++;
                    else other++;
            }
        }
        return new DeadLetterCount(poison, other, left);
    }

    // The test's own pooled connections break with each restart too; a failed probe only means "not yet".
    async Task<long?> TryCount(string table, string where = "true")
    {
        try { return await _db.Count(table, where); }
        catch (NpgsqlException) { return null; }
    }

    // Waiting plus in flight, as SQS reports it.
    async Task<int> Queued(string endpoint)
    {
        var depth = (await _queues.Depth(_queues.QueueName(endpoint), CancellationToken.None))!;
        return depth.Visible + depth.InFlight;
    }

    void Log(string line)
    {
        var stamped = $"{_clock.Elapsed.TotalSeconds,6:F1} s  {line}";
        lock (_events) _events.Add(stamped);
        output.WriteLine(stamped);
    }

    /// <summary>Clients creating payments with unique keys, retrying an answer that is not 201 with the same key.</summary>
    sealed class Clients(ApiFactory api, int concurrency)
    {
        readonly Guid[] _users = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        int _created, _retried;
        public int Created => Volatile.Read(ref _created);
        public int Retried => Volatile.Read(ref _retried);

        /// <summary>One endpoint per user, for every event type, at the merchants' receiver.</summary>
        public async Task RegisterWebhookEndpoints(Uri url)
        {
            foreach (var user in _users)
            {
                using var client = api.ClientFor(user);
                using var response = await WebhookEndpointRequests.Post(client,
                    WebhookEndpointRequests.Body(url.ToString(), [.. WebhookEventTypes.All]), $"endpoint-{user}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }

        public async Task<IReadOnlyList<Guid>> CreateAll(int total)
        {
            var users = _users;
            var http = users.ToDictionary(u => u, api.ClientFor);
            var ids = new Guid[total];
            using var gate = new SemaphoreSlim(concurrency);
            await Task.WhenAll(Enumerable.Range(0, total).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var user = users[i % users.Length];
                    ids[i] = await CreateOne(http[user], user, i);
                    Interlocked.Increment(ref _created);
                }
                finally
                {
                    gate.Release();
                }
            }));
            return ids;
        }

        async Task<Guid> CreateOne(HttpClient client, Guid user, int i)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await PaymentRequests.Post(client, PaymentRequests.Body(user, 1000 + i), $"chaos-{i}");
                    if (response.StatusCode == HttpStatusCode.Created)
                        return (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();
                    Assert.True(response.StatusCode == HttpStatusCode.Conflict || (int)response.StatusCode >= 500,
                        $"payment {i}: unexpected {(int)response.StatusCode}");
                }
                catch (HttpRequestException)
                {
                }
                Interlocked.Increment(ref _retried);
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"payment {i} was not accepted within 2 minutes");
                await Task.Delay(200);
            }
        }
    }
}
