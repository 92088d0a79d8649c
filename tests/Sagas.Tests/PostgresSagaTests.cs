using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Messaging;
using Payments.Persistence;
using Payments.Processing;
using Payments.Processing.Gateway;
using Payments.TestSupport;

namespace Payments.Sagas.Tests;

/// <summary>
/// The production messaging pipeline (Postgres saga repository, Postgres inbox on every endpoint, Postgres
/// outbox with its delivery service, fake gateway consumer) on the in-memory transport and a real database.
/// The class shares one fresh database; every test starts its own host with the settings it needs and only
/// looks at its own payment ids.
/// </summary>
public class PostgresSagaTests(PostgresSagaTests.Database database) : IClassFixture<PostgresSagaTests.Database>
{
    static readonly TimeSpan Terminal = TimeSpan.FromSeconds(20);
    readonly Sql _sql = database.Sql;

    public sealed class Database : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = null!;
        public Sql Sql { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ConnectionString = await TestPostgres.CreateDatabase();
            Sql = new Sql(ConnectionString);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }

    [Fact]
    public async Task Payments_reach_SUCCESS_or_FAILED_with_saga_rows_and_one_charge_per_success()
    {
        // A charge timeout far beyond the test: it may only leave the outbox by being dropped.
        await using var p = await Pipeline.Start(database.ConnectionString, new() { ["Payments:Saga:ChargeTimeout"] = "00:05:00" });
        long[] amounts = [1000, 1999, 2500, 1051, 2051, 777];
        var ids = new List<(Guid Id, long Amount)>();
        foreach (var amount in amounts)
            ids.Add((await p.Request(amount), amount));

        await WaitTerminal(ids.Select(x => x.Id));

        foreach (var (id, amount) in ids)
        {
            var row = await Payment(id);
            var saga = await Saga(id);
            if (amount % 100 == 51)
            {
                Assert.Equal(PaymentStatus.Failed, row.Status);
                Assert.Equal("declined: insufficient funds", row.FailureReason);
                Assert.Null(row.ChargeId);
                Assert.Equal("Failed", saga.State);
                Assert.DoesNotContain(p.Ledger.Charges, x => x.Charge.PaymentId == id);
            }
            else
            {
                Assert.Equal(PaymentStatus.Success, row.Status);
                Assert.Null(row.FailureReason);
                Assert.Equal("Succeeded", saga.State);
                var charge = Assert.Single(p.Ledger.Charges, x => x.Charge.PaymentId == id);
                Assert.Equal(amount, charge.Charge.Amount);
                Assert.Equal(ChargePayment.IdempotencyKeyFor(id), charge.Charge.IdempotencyKey);
                Assert.Equal(charge.Result.ChargeId, row.ChargeId);
                Assert.Equal(charge.Result.ChargeId, saga.ChargeId);
                Assert.Equal(1, charge.Requests);
            }
            Assert.NotNull(row.CompletedAt);
            Assert.Equal(1, saga.Attempts);
            Assert.Equal(PaymentStateMachine.PublicStatusOf(saga.State), row.Status);
        }

        // Everything the sagas published (outcome events, commands) has left the outbox, and no charge timeout of a
        // finished payment is left to fire later (the saga would only ignore it).
        await Sql.WaitUntil(async () => await _sql.Count("outbox_messages") == 0, TimeSpan.FromSeconds(10), "outbox to drain");
    }

    [Fact]
    public async Task The_same_PaymentRequested_delivered_twice_creates_one_inbox_row_one_saga_and_one_charge()
    {
        // No charge timeout within the test: a slow answer on a busy machine would add a second, legitimate request.
        await using var p = await Pipeline.Start(database.ConnectionString, new() { ["Payments:Saga:ChargeTimeout"] = "00:05:00" });

        // Redelivered after the first one was processed.
        var id = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var request = await p.InsertPending(id, 4200);
        await p.Harness.Bus.Publish(request, c => c.MessageId = messageId);
        await WaitTerminal([id]);
        var receivedBefore = await ReceiveCount(messageId);

        await p.Harness.Bus.Publish(request, c => c.MessageId = messageId);
        await Sql.WaitUntil(async () => await ReceiveCount(messageId) > receivedBefore, TimeSpan.FromSeconds(10),
            "the duplicate to reach the inbox");

        Assert.Equal(1, await _sql.Count("inbox_states", $"message_id = '{messageId}'"));
        Assert.Equal(1, await _sql.Count("payment_sagas", $"correlation_id = '{id}'"));
        Assert.Equal(PaymentStatus.Success, (await Payment(id)).Status);
        var charge = Assert.Single(p.Ledger.Entries, x => x.Charge.PaymentId == id);
        Assert.Equal(1, charge.Requests);

        // Two copies in flight at the same time.
        var racing = Guid.NewGuid();
        var racingMessageId = NewId.NextGuid();
        var racingRequest = await p.InsertPending(racing, 4300);
        await Task.WhenAll(
            p.Harness.Bus.Publish(racingRequest, c => c.MessageId = racingMessageId),
            p.Harness.Bus.Publish(racingRequest, c => c.MessageId = racingMessageId));
        await WaitTerminal([racing]);
        await Task.Delay(300);

        Assert.Equal(1, await _sql.Count("inbox_states", $"message_id = '{racingMessageId}'"));
        Assert.Equal(1, await _sql.Count("payment_sagas", $"correlation_id = '{racing}'"));
        var racingCharge = Assert.Single(p.Ledger.Entries, x => x.Charge.PaymentId == racing);
        Assert.Equal(1, racingCharge.Requests);
        Assert.Equal(1, (await Saga(racing)).Attempts);
        Assert.Equal(PaymentStatus.Success, (await Payment(racing)).Status);
    }

    [Fact]
    public async Task With_a_flaky_gateway_every_payment_ends_terminal_and_is_charged_at_most_once()
    {
        await using var p = await Pipeline.Start(database.ConnectionString, new()
        {
            ["Payments:Saga:MaxAttempts"] = "10",
            ["Payments:Saga:ChargeTimeout"] = "00:00:02",
            ["Payments:FakeGateway:TransientFailureRate"] = "0.5",
            // Charged, but the answer is lost: the retry must get the original answer, not a second charge.
            ["Payments:FakeGateway:TimeoutRate"] = "0.1",
        });

        // 24 payments, 3 of them declined (amounts ending in 51). Half the calls fail transiently, so the chance that
        // no charge needed a retry is under 0.5^24 = 6e-8 (with 8 payments it was ~0.4 %, and the last assertion failed on it).
        var amounts = Enumerable.Range(0, 24).Select(i => 1000 + 100L * i + (i % 8 == 6 ? 51 : 0)).ToList();
        var ids = new List<(Guid Id, long Amount)>();
        foreach (var amount in amounts)
            ids.Add((await p.Request(amount), amount));

        await WaitTerminal(ids.Select(x => x.Id));

        var maxAttempts = 0;
        foreach (var (id, amount) in ids)
        {
            var row = await Payment(id);
            var saga = await Saga(id);
            maxAttempts = Math.Max(maxAttempts, saga.Attempts);
            Assert.Equal(PaymentStateMachine.PublicStatusOf(saga.State), row.Status);
            Assert.InRange(saga.Attempts, 1, 10);
            Assert.True(p.Ledger.Entries.Count(x => x.Charge.PaymentId == id) <= 1);
            if (row.Status == PaymentStatus.Success)
            {
                Assert.NotEqual(51, amount % 100);
                var charge = Assert.Single(p.Ledger.Charges, x => x.Charge.PaymentId == id);
                Assert.Equal(charge.Result.ChargeId, row.ChargeId);
            }
            else
            {
                // Declined, or (rarely: 0.55^10 per payment) out of attempts.
                Assert.True(amount % 100 == 51 || row.FailureReason!.StartsWith("gateway failed 10 times"),
                    $"payment of {amount} failed: {row.FailureReason}");
                if (amount % 100 == 51)
                    Assert.DoesNotContain(p.Ledger.Charges, x => x.Charge.PaymentId == id);
            }
        }

        Assert.True(maxAttempts > 1, "no charge was retried: the flaky gateway was not exercised");
    }

    [Fact]
    public async Task Retries_are_scheduled_as_future_outbox_rows_and_an_unknown_outcome_is_looked_up_before_failing()
    {
        // Every gateway call outlasts the worker's call timeout: each attempt fails with an unknown outcome. The timers are
        // seconds long so that the states and rows the test looks at cannot move on while it looks, however busy the machine.
        await using var p = await Pipeline.Start(database.ConnectionString, new()
        {
            ["Payments:Saga:MaxAttempts"] = "3",
            ["Payments:Saga:ChargeTimeout"] = "00:00:05",
            ["Payments:Saga:RetryBaseDelay"] = "00:00:03",
            ["Payments:Saga:RetryMaxDelay"] = "00:00:03",
            ["Payments:FakeGateway:Latency"] = "00:00:01",
            ["Payments:FakeGateway:CallTimeout"] = "00:00:00.050",
        });

        var id = await p.Request(3000);

        // The back-off and the charge timeout are rows in the outbox, due in the future: they survive a restart.
        await Sql.WaitUntil(async () => await FutureRows(id, nameof(ChargeRetryDue)) > 0, TimeSpan.FromSeconds(10),
            "a ChargeRetryDue row due in the future");
        Assert.True(await FutureRows(id, nameof(ChargeTimeoutExpired)) > 0, "no future ChargeTimeoutExpired row");
        Assert.Equal(PaymentStatus.Pending, (await Payment(id)).Status);
        Assert.Equal("AwaitingRetry", (await Saga(id)).State);

        // Attempts exhausted, but the gateway might have charged: the payment stays PENDING while the saga asks,
        // and asks again (the lookups time out too) instead of failing.
        await Sql.WaitUntil(async () => (await Saga(id)).State == "Reconciling", TimeSpan.FromSeconds(20), "reconciliation");
        await Sql.WaitUntil(async () => await FutureRows(id, nameof(ChargeTimeoutExpired)) > 0, TimeSpan.FromSeconds(5),
            "the next lookup to be scheduled");
        await Task.Delay(1500);
        Assert.Equal(PaymentStatus.Pending, (await Payment(id)).Status);
        Assert.Equal("Reconciling", (await Saga(id)).State);

        // The gateway finally answers that it holds no charge for the key.
        await p.Harness.Bus.Publish(new ChargeNotFound(id));
        await WaitTerminal([id]);

        var row = await Payment(id);
        Assert.Equal(PaymentStatus.Failed, row.Status);
        Assert.Equal("gateway failed 3 times: gateway call timed out; the gateway confirms nothing was charged", row.FailureReason);
        var saga = await Saga(id);
        Assert.Equal("Failed", saga.State);
        Assert.Equal(3, saga.Attempts);
        Assert.DoesNotContain(p.Ledger.Entries, x => x.Charge.PaymentId == id);
    }

    [Fact]
    public async Task A_payment_whose_every_answer_was_lost_is_found_charged_and_succeeds()
    {
        // The gateway charges on the first attempt, but no answer ever comes back.
        await using var p = await Pipeline.Start(database.ConnectionString, new()
        {
            ["Payments:Saga:MaxAttempts"] = "3",
            ["Payments:FakeGateway:TimeoutRate"] = "1.0",
        });
        var id = await p.Request(5000);

        await WaitTerminal([id]);

        var row = await Payment(id);
        var entry = Assert.Single(p.Ledger.Entries, x => x.Charge.PaymentId == id);
        Assert.True(entry.Result.Approved);
        Assert.Equal(3, entry.Requests);
        Assert.Equal(PaymentStatus.Success, row.Status);
        Assert.Equal(entry.Result.ChargeId, row.ChargeId);
    }

    [Fact]
    public async Task A_scheduled_message_fires_when_due_not_at_the_next_poll()
    {
        // Polling alone would find the due charge timeout up to 30 s late; the delivery loop must wake at its due time.
        await using var p = await Pipeline.Start(database.ConnectionString, new()
        {
            ["Payments:Outbox:PollInterval"] = "00:00:30",
            ["Payments:Saga:ChargeTimeout"] = "00:00:01",
            ["Payments:FakeGateway:Latency"] = "00:00:30",
            ["Payments:FakeGateway:CallTimeout"] = "00:01:00",
        });
        var id = await p.Request(5000);
        DateTime? due = null;
        await Sql.WaitUntil(async () => (due = await TimeoutDue(id)) is not null, TimeSpan.FromSeconds(10), "timeout row");

        await Sql.WaitUntil(async () => (await Saga(id)).Attempts == 2, TimeSpan.FromSeconds(20), "attempt 2");

        var late = DateTime.UtcNow - due!.Value;
        Assert.True(late < TimeSpan.FromSeconds(10), $"the charge timeout fired {late.TotalSeconds:0.0} s after it was due");
    }

    async Task<DateTime?> TimeoutDue(Guid paymentId) =>
        (await _sql.Query($"SELECT enqueue_time FROM outbox_messages WHERE {OutboxRowsOf(paymentId, nameof(ChargeTimeoutExpired))}",
            r => r.GetFieldValue<DateTime>(0))).Cast<DateTime?>().SingleOrDefault();

    [Fact]
    public async Task A_retry_scheduled_before_a_restart_is_delivered_by_the_next_process()
    {
        var id = Guid.NewGuid();
        await using (var first = await Pipeline.Start(database.ConnectionString, new()
                     {
                         ["Payments:Saga:RetryBaseDelay"] = "00:00:01",
                         ["Payments:Saga:RetryMaxDelay"] = "00:00:01",
                         ["Payments:Saga:ChargeTimeout"] = "00:00:30",
                         ["Payments:FakeGateway:Latency"] = "00:00:01",
                         ["Payments:FakeGateway:CallTimeout"] = "00:00:00.050",
                     }))
        {
            await first.Harness.Bus.Publish(await first.InsertPending(id, 3100));
            await Sql.WaitUntil(async () => await FutureRows(id, nameof(ChargeRetryDue)) > 0, TimeSpan.FromSeconds(10),
                "a ChargeRetryDue row due in the future");
        }

        // The first process is gone; the retry lives on as an outbox row and a healthy process picks it up.
        LogContext.Current = null!; // the first host's, copied into this flow by Publish
        Assert.Equal(PaymentStatus.Pending, (await Payment(id)).Status);
        await using var second = await Pipeline.Start(database.ConnectionString, new()
        {
            ["Payments:Saga:ChargeTimeout"] = "00:00:30",
        });
        await WaitTerminal([id]);

        var row = await Payment(id);
        Assert.Equal(PaymentStatus.Success, row.Status);
        var saga = await Saga(id);
        Assert.Equal("Succeeded", saga.State);
        Assert.Equal(2, saga.Attempts);
        var charge = Assert.Single(second.Ledger.Charges, x => x.Charge.PaymentId == id);
        Assert.Equal(charge.Result.ChargeId, row.ChargeId);
    }

    Task WaitTerminal(IEnumerable<Guid> ids)
    {
        var list = string.Join(",", ids.Select(x => $"'{x}'"));
        var count = ids.Count();
        return Sql.WaitUntil(
            async () => await _sql.Count("payments", $"id IN ({list}) AND status <> 'PENDING'") == count
                        && await _sql.Count("payment_sagas", $"correlation_id IN ({list}) AND current_state IN ('Succeeded', 'Failed')") == count,
            Terminal, $"{count} payment(s) to reach a terminal status");
    }

    Task<long> FutureRows(Guid paymentId, string messageType) =>
        _sql.Count("outbox_messages", $"enqueue_time > now() AND {OutboxRowsOf(paymentId, messageType)}");

    static string OutboxRowsOf(Guid paymentId, string messageType) =>
        $"message_type LIKE '%{messageType}%' AND body LIKE '%{paymentId}%'";

    async Task<int> ReceiveCount(Guid messageId) =>
        (await _sql.Query($"SELECT receive_count FROM inbox_states WHERE message_id = '{messageId}'", r => r.GetInt32(0)))
        .DefaultIfEmpty(0).Sum();

    async Task<PaymentRow> Payment(Guid id) =>
        Assert.Single(await _sql.Query(
            $"SELECT status, failure_reason, charge_id, completed_at FROM payments WHERE id = '{id}'",
            r => new PaymentRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3))));

    async Task<SagaRow> Saga(Guid id) =>
        Assert.Single(await _sql.Query(
            $"SELECT current_state, attempts, charge_id FROM payment_sagas WHERE correlation_id = '{id}'",
            r => new SagaRow(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2))));

    record PaymentRow(string Status, string? FailureReason, string? ChargeId, DateTimeOffset? CompletedAt);

    record SagaRow(string State, int Attempts, string? ChargeId);

    /// <summary>A started worker host: saga + gateway consumer + outbox delivery, as production wires them.</summary>
    internal sealed class Pipeline : IAsyncDisposable
    {
        readonly IHost _host;

        Pipeline(IHost host, string connectionString)
        {
            _host = host;
            Harness = host.Services.GetRequiredService<ITestHarness>();
            Ledger = host.Services.GetRequiredService<ChargeLedger>();
            Sql = new Sql(connectionString);
        }

        public ITestHarness Harness { get; }
        public IServiceProvider Services => _host.Services;
        public ChargeLedger Ledger { get; }
        public Sql Sql { get; }

        /// <param name="endpoints">More consumers on the bus, e.g. a probe of what the sagas publish.</param>
        public static async Task<Pipeline> Start(string connectionString, Dictionary<string, string?>? overrides = null,
            Action<IBusRegistrationConfigurator>? endpoints = null)
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Payments"] = connectionString,
                ["Payments:Saga:ChargeTimeout"] = "00:00:01",
                ["Payments:Saga:RetryBaseDelay"] = "00:00:00.020",
                ["Payments:Saga:RetryMaxDelay"] = "00:00:00.100",
                ["Payments:Saga:MaxAttempts"] = "3",
                ["Payments:FakeGateway:Latency"] = "00:00:00.001",
                ["Payments:Outbox:PollInterval"] = "00:00:00.100",
            };
            foreach (var (key, value) in overrides ?? [])
                settings[key] = value;

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                EnvironmentName = "Testing",
                DisableDefaults = true,
            });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // Transient gateway failures are the point of some tests; keep the log readable.
            builder.Logging.AddFilter("Payments.Workers", LogLevel.Error);
            builder.Logging.AddFilter("MassTransit", LogLevel.Error);

            builder.Services.AddPaymentsPersistence(builder.Configuration);
            builder.Services.AddPaymentProcessing();
            builder.Services.AddMassTransitTestHarness(x => MessagingRegistration.ConfigureBus(x, bus =>
            {
                bus.AddPaymentWorkers();
                endpoints?.Invoke(bus);
            }));

            // MassTransit keeps its log context in an AsyncLocal that it only sets when empty; a test's first Publish
            // copies it into the test's flow. Building on a clean flow keeps a stopped host's (disposed) logger
            // factory away from the next host started by the same test.
            var host = await Task.Run(async () =>
            {
                LogContext.Current = null!;
                var built = builder.Build();
                await built.StartAsync();
                return built;
            });
            return new Pipeline(host, connectionString);
        }

        /// <summary>Inserts the PENDING row the API would have written and publishes the request.</summary>
        public async Task<Guid> Request(long amount)
        {
            var id = Guid.NewGuid();
            await Harness.Bus.Publish(await InsertPending(id, amount));
            return id;
        }

        public async Task<PaymentRequested> InsertPending(Guid id, long amount)
        {
            var user = Guid.NewGuid();
            await Sql.Execute(
                $"""
                 INSERT INTO payments (id, user_id, amount, currency, description, metadata, status, failure_reason, charge_id,
                                       created_at, updated_at, completed_at)
                 VALUES ('{id}', '{user}', {amount}, 'USD', 'saga test', NULL, 'PENDING', NULL, NULL, now(), now(), NULL)
                 """);
            return new PaymentRequested(id, user, amount, "USD", "saga test", DateTimeOffset.UtcNow);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10));
            _host.Dispose();
        }
    }
}
