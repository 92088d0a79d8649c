using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Payments.Contracts;
using Payments.Processing.Recovery;

namespace Payments.Persistence.Recovery;

/// <summary>Stalled-payment recovery's reads on Postgres, each in one transaction of the scope's context.</summary>
public sealed class PostgresPaymentRecoveryStore(PaymentsDbContext db) : IPaymentRecoveryStore
{
    public async Task<int> WithPaymentsNeverSeenBySaga(DateTimeOffset before, int limit, Func<IReadOnlyList<StalledPayment>, Task> republish,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stalled = await db.Payments
            .FromSql($"""
                      SELECT p.* FROM payments p
                       WHERE p.status = {PaymentStatus.Pending} AND p.created_at < {before}
                         AND NOT EXISTS (SELECT 1 FROM payment_sagas s WHERE s.correlation_id = p.id)
                         AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.correlation_id = p.id AND o.parked_at IS NULL)
                       ORDER BY p.created_at
                       LIMIT {limit}
                       FOR UPDATE SKIP LOCKED
                      """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        await republish(stalled.Select(p => new StalledPayment(p.Id, p.UserId, p.Amount, p.Currency, p.Description, p.CreatedAt)).ToList());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stalled.Count;
    }

    public async Task<int> WithRefundsNeverSeenBySaga(DateTimeOffset before, int limit, Func<IReadOnlyList<StalledRefund>, Task> republish,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stalled = await db.Refunds
            .FromSql($"""
                      SELECT r.* FROM refunds r
                       WHERE r.status = {RefundStatus.Pending} AND r.created_at < {before}
                         AND NOT EXISTS (SELECT 1 FROM refund_sagas s WHERE s.correlation_id = r.id)
                         AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.correlation_id = r.id AND o.parked_at IS NULL)
                       ORDER BY r.created_at
                       LIMIT {limit}
                       FOR UPDATE SKIP LOCKED
                      """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        await republish(stalled.Select(r => new StalledRefund(r.Id, r.PaymentId, r.UserId, r.Amount, r.Currency, r.Reason, r.CreatedAt)).ToList());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stalled.Count;
    }

    public async Task<int> WithSagasMissingTheirTimer<TSaga>(IReadOnlyCollection<string> states, DateTimeOffset before, int limit,
        Func<IReadOnlyList<TSaga>, Task> resend, CancellationToken cancellationToken) where TSaga : class, SagaStateMachineInstance
    {
        // Both saga tables share these columns; the table name comes from the model, never from input.
        var table = db.Model.FindEntityType(typeof(TSaga))?.GetTableName()
                    ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not a saga table of the model");
        // Decided: a parked row is not pending. It waits for an operator, maybe for ever, and the saga with it, so a saga
        // whose only outbox rows are parked counts as missing its timer and gets it again. The re-sent timer carries the
        // schedule's token, so the saga treats it as the original; should the parked row be re-queued as well, the later
        // of the two is a stale timer, as when this recovery races a late original.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var sql = $"""
                   SELECT s.* FROM {table} s
                    WHERE s.current_state = ANY(@states) AND s.updated_at < @before
                      AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.correlation_id = s.correlation_id AND o.parked_at IS NULL)
                    ORDER BY s.updated_at
                    LIMIT @limit
                    FOR UPDATE SKIP LOCKED
                   """;
        var waiting = await db.Set<TSaga>()
            .FromSqlRaw(sql, new NpgsqlParameter("states", states.ToArray()), new NpgsqlParameter("before", before), new NpgsqlParameter("limit", limit))
            .ToListAsync(cancellationToken);

        await resend(waiting);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return waiting.Count;
    }
}
