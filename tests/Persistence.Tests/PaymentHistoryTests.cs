using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Contracts;
using Payments.Messaging;
using Payments.Persistence.Idempotency;
using Payments.Persistence.Payments;
using Payments.Processing.PaymentSaga;
using Payments.Sagas;
using Payments.TestSupport;
using E = Payments.Sagas.PaymentEventTypes;

namespace Payments.Persistence.Tests;

/// <summary>
/// A payment's history as the saga writes it on Postgres: each path leaves every step, in order, once; an entry commits with
/// its transition or not at all.
/// </summary>
public class PaymentHistoryTests : IAsyncLifetime
{
    static readonly TimeSpan Terminal = TimeSpan.FromSeconds(20);
    Sql _sql = null!;

    public async Task InitializeAsync() => _sql = new Sql(await TestPostgres.CreateDatabase());
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_transient_failure_is_retried_when_due_and_the_history_shows_each_failure_and_the_retry()
    {
        // Every gateway call fails with a 503 (nothing charged); no charge timeout within the test.
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(), new Dictionary<string, string?>
        {
            ["Payments:Saga:MaxAttempts"] = "2",
            ["Payments:Saga:ChargeTimeout"] = "00:05:00",
            ["Payments:Saga:RetryBaseDelay"] = "00:00:00.300",
            ["Payments:FakeGateway:TransientFailureRate"] = "1.0",
        });
        var id = await Create(host, 2000);

        var history = await WaitTerminal(id);

        const string Unavailable = "gateway returned 503 Service Unavailable";
        AssertSteps(history,
            (E.Created, null, null),
            (E.ChargeRequested, 1, null),
            (E.ChargeFailedTransient, 1, Unavailable),
            (E.RetryScheduled, 2, null),
            (E.ChargeRequested, 2, null),
            (E.ChargeFailedTransient, 2, Unavailable),
            (E.Failed, null, $"gateway failed 2 times: {Unavailable}"));
        var retry = history[3];
        Assert.NotNull(retry.DueAt);
        Assert.Equal(TimeSpan.FromMilliseconds(300), retry.DueAt.Value - retry.OccurredAt);
        Assert.True(history[4].OccurredAt >= retry.DueAt, "attempt 2 was sent before its retry was due");
        Assert.All(history.Where(e => e.Type != E.RetryScheduled), e => Assert.Null(e.DueAt));
        await host.StopAsync();
    }

    [Fact]
    public async Task Unanswered_attempts_time_out_then_lookups_are_asked_until_one_answers_nothing_was_charged()
    {
        // Only the saga: charges and lookups go unanswered, so every timer fires.
        using var host = await MessagingHost.Start(_sql.ConnectionString, SagaOnly, new Dictionary<string, string?>
        {
            ["Payments:Saga:MaxAttempts"] = "2",
            ["Payments:Saga:ChargeTimeout"] = "00:00:00.300",
        });
        var id = await Create(host, 2100);

        await Sql.WaitUntil(async () => (await History(id)).Any(e => e.Type == E.ReconciliationTimedOut), Terminal,
            "a lookup to go unanswered");
        await host.Services.GetRequiredService<IBus>().Publish(new ChargeNotFound(id));
        var history = await WaitTerminal(id);

        const string Silent = "gateway did not answer after 2 attempts";
        AssertSteps(history[..6],
            (E.Created, null, null),
            (E.ChargeRequested, 1, null),
            (E.ChargeTimedOut, 1, null),
            (E.ChargeRequested, 2, null),
            (E.ChargeTimedOut, 2, null),
            (E.ReconciliationRequested, null, Silent));
        // Each unanswered lookup is asked again until the answer comes.
        var lookups = history[6..^2];
        Assert.NotEmpty(lookups);
        Assert.Equal(0, lookups.Count % 2);
        for (var i = 0; i < lookups.Count; i += 2)
            AssertSteps(lookups[i..(i + 2)], (E.ReconciliationTimedOut, null, null), (E.ReconciliationRequested, null, Silent));
        AssertSteps(history[^2..],
            (E.ChargeNotFound, null, null),
            (E.Failed, null, $"{Silent}; the gateway confirms nothing was charged"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Lost_answers_are_looked_up_and_the_charge_found_makes_the_payment_succeed()
    {
        // The gateway charges on the first attempt, but no answer comes back from any attempt.
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(), new Dictionary<string, string?>
        {
            ["Payments:Saga:MaxAttempts"] = "2",
            ["Payments:Saga:ChargeTimeout"] = "00:05:00",
            ["Payments:Saga:RetryBaseDelay"] = "00:00:00.050",
            ["Payments:FakeGateway:TimeoutRate"] = "1.0",
        });
        var id = await Create(host, 2200);

        var history = await WaitTerminal(id);

        const string Lost = "gateway read timed out after the request was sent";
        AssertSteps(history,
            (E.Created, null, null),
            (E.ChargeRequested, 1, null),
            (E.ChargeAnswerLost, 1, Lost),
            (E.RetryScheduled, 2, null),
            (E.ChargeRequested, 2, null),
            (E.ChargeAnswerLost, 2, Lost),
            (E.ReconciliationRequested, null, $"gateway failed 2 times: {Lost}"),
            (E.ChargeApproved, null, null),
            (E.Succeeded, null, null));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_redelivered_saga_message_writes_no_second_entry()
    {
        // Only the saga, and no timer within the test: the timeout below is the test's own message.
        using var host = await MessagingHost.Start(_sql.ConnectionString, SagaOnly,
            new Dictionary<string, string?> { ["Payments:Saga:ChargeTimeout"] = "00:05:00" });
        var bus = host.Services.GetRequiredService<IBus>();
        var handled = new SagaEndpointHandled();
        bus.ConnectReceiveObserver(handled);
        var id = await Create(host, 2300);
        await Sql.WaitUntil(() => Task.FromResult(handled.Count == 1), Terminal, "the request to be handled");

        // Processed again, this timeout would record a second timeout and send attempt 3.
        var messageId = NewId.NextGuid();
        await bus.Publish(new ChargeTimeoutExpired(id), c => c.MessageId = messageId);
        await Sql.WaitUntil(() => Task.FromResult(handled.Count == 2), Terminal, "the timeout to be handled");
        await bus.Publish(new ChargeTimeoutExpired(id), c => c.MessageId = messageId);
        await Sql.WaitUntil(() => Task.FromResult(handled.Count == 3), Terminal, "the redelivered timeout to be handled");

        AssertSteps(await History(id),
            (E.Created, null, null),
            (E.ChargeRequested, 1, null),
            (E.ChargeTimedOut, 1, null),
            (E.ChargeRequested, 2, null));
        Assert.Equal(1, await _sql.Count("inbox_states", $"message_id = '{messageId}' AND receive_count = 2"));
        await host.StopAsync();
    }

    /// <summary>Counts the messages the saga's endpoint is done with, whatever became of them (consumed, dropped, faulted).</summary>
    sealed class SagaEndpointHandled : IReceiveObserver
    {
        int _count;
        public int Count => Volatile.Read(ref _count);

        public Task PreReceive(ReceiveContext context) => Task.CompletedTask;
        public Task PostReceive(ReceiveContext context) => Counted(context);
        public Task ReceiveFault(ReceiveContext context, Exception exception) => Counted(context);
        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;
        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
            Task.CompletedTask;

        Task Counted(ReceiveContext context)
        {
            if (context.InputAddress.AbsolutePath.EndsWith(EndpointNames.PaymentSaga, StringComparison.Ordinal))
                Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_transition_whose_commit_fails_leaves_no_entry_and_its_successful_retry_leaves_one()
    {
        // The transition to Succeeded fails at COMMIT, after every statement of it ran, three times; the retry policy tries again.
        var id = NewId.NextSequentialGuid();
        var refusals = $"refused_{id:N}";
        await _sql.Execute($"""
            CREATE SEQUENCE {refusals};
            CREATE FUNCTION {refusals}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF nextval('{refusals}') <= 3 THEN
                RAISE EXCEPTION 'simulated commit failure' USING ERRCODE = 'serialization_failure';
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER {refusals} AFTER UPDATE ON payment_sagas DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
              WHEN (NEW.correlation_id = '{id}' AND NEW.current_state = 'Succeeded') EXECUTE FUNCTION {refusals}();
            """);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(),
            new Dictionary<string, string?> { ["Payments:Saga:ChargeTimeout"] = "00:05:00" });
        await Create(host, 2400, id);

        var history = await WaitTerminal(id);

        var tries = Assert.Single(await _sql.Query($"SELECT last_value FROM {refusals}", r => r.GetInt64(0)));
        Assert.True(tries >= 4, $"the transition was tried {tries} times, not refused three times first");
        AssertSteps(history,
            (E.Created, null, null),
            (E.ChargeRequested, 1, null),
            (E.ChargeApproved, 1, null),
            (E.Succeeded, null, null));
        await host.StopAsync();
    }

    static void SagaOnly(IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>().PostgresRepository();

    /// <summary>Creates the payment as the API does: the row, its first history entry and PaymentRequested in one transaction.</summary>
    static async Task<Guid> Create(IHost host, long amount, Guid? id = null)
    {
        var now = DateTimeOffset.UtcNow;
        var payment = new Payment
        {
            Id = id ?? NewId.NextSequentialGuid(), UserId = Guid.NewGuid(), Amount = amount, Currency = "USD", Status = PaymentStatus.Pending,
            CreatedAt = now, UpdatedAt = now,
        };
        await using var scope = host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<PaymentCreation>().CreateOnce(payment, Guid.NewGuid().ToString(),
            Guid.NewGuid().ToByteArray(), p => new CreatedResponse(201, "{}", $"/payments/{p.Id}"), CancellationToken.None);
        Assert.Equal(CreationOutcome.Created, result.Outcome);
        return payment.Id;
    }

    async Task<List<Entry>> WaitTerminal(Guid id)
    {
        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{id}' AND status <> 'PENDING'") == 1, Terminal,
            "the payment to reach a terminal status");
        return await History(id);
    }

    Task<List<Entry>> History(Guid id) =>
        _sql.Query($"SELECT id, type, occurred_at, attempt, detail, due_at FROM payment_events WHERE payment_id = '{id}' ORDER BY id",
            r => new Entry(r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.IsDBNull(3) ? null : r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5)));

    /// <summary>The entries are exactly these steps (type, attempt, detail), in this order, at times that never go back.</summary>
    static void AssertSteps(List<Entry> history, params (string Type, int? Attempt, string? Detail)[] steps)
    {
        Assert.Equal(steps.ToList(), history.Select(e => (e.Type, e.Attempt, e.Detail)).ToList());
        for (var i = 1; i < history.Count; i++)
            Assert.True(history[i].OccurredAt >= history[i - 1].OccurredAt, $"{history[i].Type} is dated before {history[i - 1].Type}");
    }

    record Entry(long Id, string Type, DateTimeOffset OccurredAt, int? Attempt, string? Detail, DateTimeOffset? DueAt);
}
