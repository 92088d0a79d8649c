using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Persistence;
using Payments.TestSupport;

namespace Payments.Sagas.Tests;

/// <summary>
/// The analytics fact and the webhook deliveries of an outcome are written by the completion that finishes the payment or
/// the refund, in its transaction: once however often or however concurrently it runs, never by a completion that found it
/// finished already, and not at all when that transaction rolls back. The deliveries carry the outcome event's id.
/// </summary>
public class CompletionOutcomeTests(PostgresSagaTests.Database database) : IClassFixture<PostgresSagaTests.Database>
{
    /// <summary>No timer fires, and nothing is sent: the rows are what is looked at.</summary>
    static readonly Dictionary<string, string?> NoTimers = new()
    {
        ["Payments:Saga:ChargeTimeout"] = "00:05:00", ["Webhooks:Delivery:Enabled"] = "false",
    };
    readonly Sql _sql = database.Sql;

    [Fact]
    public async Task A_payment_completed_twice_at_once_then_again_with_another_status_records_one_fact_and_plans_each_delivery_once()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers);
        var id = Guid.NewGuid();
        var user = (await p.InsertPending(id, 1999)).UserId;
        var (succeeded, both, failed) = (await Endpoint(user, "payment.succeeded"), await Endpoint(user, "payment.succeeded", "payment.failed"),
            await Endpoint(user, "payment.failed"));
        var saga = new PaymentState
        {
            CorrelationId = id, UserId = user, Amount = 1999, Currency = "USD", ChargeId = "ch_1", CompletedAt = DateTimeOffset.UtcNow,
        };

        // The second waits on the payment row, then finds it no longer PENDING; the third comes after both committed.
        await Task.WhenAll(CompletePayment(p, saga, PaymentStatus.Success), CompletePayment(p, saga, PaymentStatus.Success));
        await CompletePayment(p, saga, PaymentStatus.Failed);

        Assert.Equal(["SUCCESS"], await _sql.Query($"SELECT status FROM analytics_payment_outcomes WHERE payment_id = '{id}'", r => r.GetString(0)));
        var deliveries = await Deliveries(user);
        Assert.Equal(new[] { (succeeded, "payment.succeeded"), (both, "payment.succeeded") }.Order(), deliveries.Select(d => (d.Endpoint, d.Type)).Order());
        Assert.All(deliveries, d => Assert.Equal(OutcomeEventId.For(id), d.EventId));
        Assert.DoesNotContain(deliveries, d => d.Endpoint == failed);
    }

    [Fact]
    public async Task A_payment_completion_whose_transaction_rolls_back_leaves_neither_fact_nor_delivery()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers);
        var id = Guid.NewGuid();
        var user = (await p.InsertPending(id, 1999)).UserId;
        await Endpoint(user, "payment.succeeded");
        var saga = new PaymentState
        {
            CorrelationId = id, UserId = user, Amount = 1999, Currency = "USD", ChargeId = "ch_1", CompletedAt = DateTimeOffset.UtcNow,
        };

        await CompletePayment(p, saga, PaymentStatus.Success, commit: false);

        Assert.Equal(1, await _sql.Count("payments", $"id = '{id}' AND status = 'PENDING'"));
        Assert.Equal(0, await _sql.Count("analytics_payment_outcomes", $"payment_id = '{id}'"));
        Assert.Empty(await Deliveries(user));

        // The retried transaction commits, and writes both.
        await CompletePayment(p, saga, PaymentStatus.Success);
        Assert.Equal(1, await _sql.Count("analytics_payment_outcomes", $"payment_id = '{id}'"));
        Assert.Single(await Deliveries(user));
    }

    [Fact]
    public async Task A_refund_completed_twice_at_once_then_again_with_another_status_records_one_fact_and_plans_each_delivery_once()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers);
        var (payment, user) = await SucceededPayment(p, 1000);
        var refund = await PendingRefund(payment, user, 400);
        var (succeeded, failed) = (await Endpoint(user, "refund.succeeded"), await Endpoint(user, "refund.failed"));
        var saga = new RefundState
        {
            CorrelationId = refund, PaymentId = payment, UserId = user, Amount = 400, Currency = "USD", GatewayRefundId = "re_1",
            CompletedAt = DateTimeOffset.UtcNow,
        };

        await Task.WhenAll(CompleteRefund(p, saga, RefundStatus.Succeeded), CompleteRefund(p, saga, RefundStatus.Succeeded));
        await CompleteRefund(p, saga, RefundStatus.Failed);

        Assert.Equal(["SUCCEEDED"], await _sql.Query($"SELECT status FROM analytics_refund_outcomes WHERE refund_id = '{refund}'", r => r.GetString(0)));
        var delivery = Assert.Single(await Deliveries(user));
        Assert.Equal((succeeded, "refund.succeeded", OutcomeEventId.For(refund)), (delivery.Endpoint, delivery.Type, delivery.EventId));
        Assert.NotEqual(failed, delivery.Endpoint);
    }

    [Fact]
    public async Task A_refund_completion_whose_transaction_rolls_back_leaves_neither_fact_nor_delivery()
    {
        await using var p = await PostgresSagaTests.Pipeline.Start(database.ConnectionString, NoTimers);
        var (payment, user) = await SucceededPayment(p, 1000);
        var refund = await PendingRefund(payment, user, 400);
        await Endpoint(user, "refund.failed");
        var saga = new RefundState
        {
            CorrelationId = refund, PaymentId = payment, UserId = user, Amount = 400, Currency = "USD", FailureReason = "declined: no",
            CompletedAt = DateTimeOffset.UtcNow,
        };

        await CompleteRefund(p, saga, RefundStatus.Failed, commit: false);

        Assert.Equal(1, await _sql.Count("refunds", $"id = '{refund}' AND status = 'PENDING'"));
        Assert.Equal(0, await _sql.Count("analytics_refund_outcomes", $"refund_id = '{refund}'"));
        Assert.Empty(await Deliveries(user));
    }

    static Task CompletePayment(PostgresSagaTests.Pipeline p, PaymentState saga, string status, bool commit = true) =>
        InTransaction(p, commit, services => services.GetRequiredService<IPaymentCompletion>().Complete(saga, status, default));

    static Task CompleteRefund(PostgresSagaTests.Pipeline p, RefundState saga, string status, bool commit = true) =>
        InTransaction(p, commit, services => services.GetRequiredService<IRefundCompletion>().Complete(saga, status, default));

    /// <summary>Runs a completion in a transaction of its own scope, as the saga does, and commits or rolls it back.</summary>
    static async Task InTransaction(PostgresSagaTests.Pipeline p, bool commit, Func<IServiceProvider, Task> complete)
    {
        await using var scope = p.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await complete(scope.ServiceProvider);
        if (commit)
            await transaction.CommitAsync();
        else
            await transaction.RollbackAsync();
    }

    async Task<(Guid Payment, Guid User)> SucceededPayment(PostgresSagaTests.Pipeline p, long amount)
    {
        var id = Guid.NewGuid();
        var user = (await p.InsertPending(id, amount)).UserId;
        await _sql.Execute($"UPDATE payments SET status = 'SUCCESS', completed_at = now() WHERE id = '{id}'");
        return (id, user);
    }

    /// <summary>As the API leaves it: the amount reserved on the payment, the refund PENDING.</summary>
    async Task<Guid> PendingRefund(Guid payment, Guid user, long amount)
    {
        var id = NewId.NextGuid();
        await _sql.Execute(
            $"""
             UPDATE payments SET refund_reserved = refund_reserved + {amount} WHERE id = '{payment}';
             INSERT INTO refunds (id, payment_id, user_id, amount, currency, reason, status, created_at, updated_at)
             VALUES ('{id}', '{payment}', '{user}', {amount}, 'USD', 'test', 'PENDING', now(), now())
             """);
        return id;
    }

    async Task<Guid> Endpoint(Guid user, params string[] eventTypes)
    {
        var id = Guid.NewGuid();
        await _sql.Execute(
            $"""
             INSERT INTO webhook_endpoints (id, user_id, url, event_types, enabled, secret, created_at, updated_at)
             VALUES ('{id}', '{user}', 'https://example.test/hook', ARRAY['{string.Join("','", eventTypes)}'], true, 'whsec_test', now(), now())
             """);
        return id;
    }

    Task<List<(Guid Endpoint, string Type, Guid EventId)>> Deliveries(Guid user) =>
        _sql.Query(
            $"""
             SELECT d.endpoint_id, d.event_type, d.event_id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
              WHERE e.user_id = '{user}'
             """, r => (r.GetGuid(0), r.GetString(1), r.GetGuid(2)));
}
