using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Persistence;
using Payments.TestSupport;

namespace Payments.Sagas.Tests;

/// <summary>
/// The refund saga in the production pipeline (Postgres saga repository, inbox, outbox, fake gateway consumers) on a real
/// database. Refunds are created as the API creates them: the payment's reservation raised, the refunds row PENDING and
/// RefundRequested in the outbox, in one transaction.
/// </summary>
public class PostgresRefundSagaTests(PostgresSagaTests.Database database) : IClassFixture<PostgresSagaTests.Database>
{
    static readonly TimeSpan Terminal = TimeSpan.FromSeconds(20);
    readonly Sql _sql = database.Sql;

    /// <summary>No timer fires within a test: a timer may only leave the outbox by being dropped.</summary>
    static readonly Dictionary<string, string?> NoTimers = new() { ["Payments:Saga:ChargeTimeout"] = "00:05:00" };

    [Fact]
    public async Task Refunds_of_a_charged_payment_succeed_and_move_their_amount_into_amount_refunded_once()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers, Probe);
        var payment = await ChargedPayment(p, 1000);

        var first = await CreateRefund(p, payment, 400);
        await WaitTerminal(first);
        var second = await CreateRefund(p, payment, 600);
        await WaitTerminal(second);

        foreach (var (id, amount) in new[] { (first, 400L), (second, 600L) })
        {
            var row = await Refund(id);
            Assert.Equal(RefundStatus.Succeeded, row.Status);
            Assert.Null(row.FailureReason);
            Assert.NotNull(row.CompletedAt);
            var refunded = Assert.Single(p.Ledger.RefundEntries, e => e.Refund.IdempotencyKey == RefundCharge.IdempotencyKeyFor(id));
            Assert.Equal(amount, refunded.Refund.Amount);
            Assert.Equal(ChargePayment.IdempotencyKeyFor(payment), refunded.Refund.ChargeKey);
            Assert.Equal(refunded.Result.ChargeId, row.GatewayRefundId);
            Assert.Equal(1, refunded.Requests);
            Assert.Equal("Succeeded", await SagaState(id));
            var published = await Published<RefundSucceeded>(p, id);
            Assert.Equal(OutcomeEventId.For(id), published.EventId);
            Assert.Equal(row.GatewayRefundId, published.GatewayRefundId);
        }
        Assert.Equal((1000, 1000), await Amounts(payment));

        // Every refund message has left the outbox, the refund timeouts too: finishing dropped them.
        await Sql.WaitUntil(async () => await _sql.Count("outbox_messages", $"correlation_id IN ('{first}', '{second}')") == 0,
            TimeSpan.FromSeconds(10), "the refunds' outbox rows to be delivered or dropped");
    }

    [Fact]
    public async Task A_refund_the_gateway_declines_fails_and_releases_its_reservation()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers, Probe);
        var payment = await ChargedPayment(p, 1000);
        var kept = await CreateRefund(p, payment, 300);
        await WaitTerminal(kept);

        // An amount ending in 51 is refused by the fake card network, like a test card.
        var refused = await CreateRefund(p, payment, 451);
        await WaitTerminal(refused);

        var row = await Refund(refused);
        Assert.Equal(RefundStatus.Failed, row.Status);
        Assert.Equal("declined: refund refused by the card network", row.FailureReason);
        Assert.Null(row.GatewayRefundId);
        Assert.Equal("Failed", await SagaState(refused));
        Assert.Equal(OutcomeEventId.For(refused), (await Published<RefundFailed>(p, refused)).EventId);
        Assert.Equal((300, 300), await Amounts(payment));

        // A SUCCESS payment the gateway never charged: its ledger has nothing to refund.
        var uncharged = await InsertSuccessPayment(p, 500);
        var orphan = await CreateRefund(p, uncharged, 500);
        await WaitTerminal(orphan);
        Assert.Equal("declined: no approved charge to refund", (await Refund(orphan)).FailureReason);
        Assert.Equal((0, 0), await Amounts(uncharged));
    }

    [Fact]
    public async Task Approvals_redelivered_and_racing_complete_the_refund_once()
    {
        // The gateway always fails and the retry is far away: the refund waits, and the test delivers the answers itself.
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, new()
        {
            ["Payments:Saga:ChargeTimeout"] = "00:05:00",
            ["Payments:Saga:RetryBaseDelay"] = "00:05:00",
            ["Payments:Saga:RetryMaxDelay"] = "00:10:00",
            ["Payments:FakeGateway:TransientFailureRate"] = "1.0",
        }, Probe);
        var payment = await InsertSuccessPayment(p, 1000);
        var id = await CreateRefund(p, payment, 250);
        await Sql.WaitUntil(async () => await SagaState(id) == "AwaitingRetry", Terminal, "the refund to await its retry");

        // Ten different messages at once, and one of them again after it was processed.
        var approved = new RefundApproved(id, "re_raced", 1, DateTimeOffset.UtcNow);
        var messageIds = Enumerable.Range(0, 10).Select(_ => NewId.NextGuid()).ToList();
        await Task.WhenAll(messageIds.Select(m => p.Harness.Bus.Publish(approved, c => c.MessageId = m)));
        await WaitTerminal(id);
        await p.Harness.Bus.Publish(approved, c => c.MessageId = messageIds[0]);
        var ids = string.Join(",", messageIds.Select(m => $"'{m}'"));
        await Sql.WaitUntil(async () => await _sql.Count("inbox_states", $"message_id IN ({ids}) AND consumed IS NOT NULL") == 10,
            Terminal, "every approval to be consumed");

        Assert.Equal(RefundStatus.Succeeded, (await Refund(id)).Status);
        Assert.Equal((250, 250), await Amounts(payment));
        await Published<RefundSucceeded>(p, id);
        Assert.Single(p.Harness.Consumed.Select<RefundSucceeded>(x => x.Context.Message.RefundId == id));
    }

    [Fact]
    public async Task Completion_run_twice_or_concurrently_moves_the_amount_once()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers, Probe);
        var payment = await InsertSuccessPayment(p, 1000);
        var id = await CreateRefund(p, payment, 400, publish: false);
        var saga = new RefundState
        {
            CorrelationId = id, PaymentId = payment, Amount = 400, Currency = "USD", GatewayRefundId = "re_1",
            CompletedAt = DateTimeOffset.UtcNow,
        };

        // Two sagas' transactions racing (the second waits on the refund row, then finds it no longer PENDING), then a
        // third completion, a failure this time, after both committed.
        await Task.WhenAll(Complete(p, saga, RefundStatus.Succeeded), Complete(p, saga, RefundStatus.Succeeded));
        await Complete(p, saga, RefundStatus.Failed);

        var row = await Refund(id);
        Assert.Equal(RefundStatus.Succeeded, row.Status);
        Assert.Equal("re_1", row.GatewayRefundId);
        Assert.Equal((400, 400), await Amounts(payment));
    }

    /// <summary>Consumes the refund outcomes, so the harness sees what left the outbox.</summary>
    static void Probe(IBusRegistrationConfigurator bus) => bus.AddConsumer<RefundOutcomeProbe>();

    public sealed class RefundOutcomeProbe : IConsumer<RefundSucceeded>, IConsumer<RefundFailed>
    {
        public Task Consume(ConsumeContext<RefundSucceeded> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<RefundFailed> context) => Task.CompletedTask;
    }

    static async Task Complete(PostgresSagaTests.Pipeline p, RefundState saga, string status)
    {
        await using var scope = p.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await scope.ServiceProvider.GetRequiredService<IRefundCompletion>().Complete(saga, status, default);
        await transaction.CommitAsync();
    }

    /// <summary>A payment charged through the saga and the fake gateway, so the gateway's ledger holds its approved charge.</summary>
    async Task<Guid> ChargedPayment(PostgresSagaTests.Pipeline p, long amount)
    {
        var id = await p.Request(amount);
        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{id}' AND status = 'SUCCESS'") == 1, Terminal,
            "the payment to succeed");
        return id;
    }

    async Task<Guid> InsertSuccessPayment(PostgresSagaTests.Pipeline p, long amount)
    {
        var id = Guid.NewGuid();
        await p.InsertPending(id, amount);
        await _sql.Execute($"UPDATE payments SET status = 'SUCCESS', completed_at = now() WHERE id = '{id}'");
        return id;
    }

    /// <summary>What the API does, in one transaction: reserve the amount, insert the refund PENDING, publish RefundRequested.</summary>
    static async Task<Guid> CreateRefund(PostgresSagaTests.Pipeline p, Guid paymentId, long amount, bool publish = true)
    {
        var id = NewId.NextGuid();
        await using var scope = p.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var userId = (await db.Database.SqlQuery<Guid>(
            $"""
             UPDATE payments SET refund_reserved = refund_reserved + {amount}
              WHERE id = {paymentId} AND status = 'SUCCESS' AND refund_reserved + {amount} <= amount
             RETURNING user_id AS "Value"
             """).ToListAsync()).Single();
        await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO refunds (id, payment_id, user_id, amount, currency, reason, status, created_at, updated_at)
             VALUES ({id}, {paymentId}, {userId}, {amount}, 'USD', 'test', 'PENDING', now(), now())
             """);
        if (publish)
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
                .Publish(new RefundRequested(id, paymentId, userId, amount, "USD", "test", DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return id;
    }

    Task WaitTerminal(Guid refundId) =>
        Sql.WaitUntil(async () => await _sql.Count("refunds", $"id = '{refundId}' AND status <> 'PENDING'") == 1
                                  && await _sql.Count("refund_sagas", $"correlation_id = '{refundId}' AND current_state IN ('Succeeded', 'Failed')") == 1,
            Terminal, "the refund to reach a terminal status");

    static async Task<T> Published<T>(PostgresSagaTests.Pipeline p, Guid refundId) where T : class
    {
        T? found = null;
        await Sql.WaitUntil(() =>
        {
            found = p.Harness.Consumed.Select<T>(x => x.Context.Message switch
            {
                RefundSucceeded m => m.RefundId == refundId,
                RefundFailed m => m.RefundId == refundId,
                _ => false,
            }).Select(x => x.Context.Message).FirstOrDefault();
            return Task.FromResult(found is not null);
        }, TimeSpan.FromSeconds(10), $"{typeof(T).Name} to be published");
        return found!;
    }

    async Task<(long Refunded, long Reserved)> Amounts(Guid paymentId) =>
        Assert.Single(await _sql.Query($"SELECT amount_refunded, refund_reserved FROM payments WHERE id = '{paymentId}'",
            r => (r.GetInt64(0), r.GetInt64(1))));

    async Task<string> SagaState(Guid refundId) =>
        (await _sql.Query($"SELECT current_state FROM refund_sagas WHERE correlation_id = '{refundId}'", r => r.GetString(0)))
        .SingleOrDefault() ?? "";

    async Task<RefundRow> Refund(Guid id) =>
        Assert.Single(await _sql.Query(
            $"SELECT status, failure_reason, gateway_refund_id, completed_at FROM refunds WHERE id = '{id}'",
            r => new RefundRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3))));

    record RefundRow(string Status, string? FailureReason, string? GatewayRefundId, DateTimeOffset? CompletedAt);
}
