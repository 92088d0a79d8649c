using Microsoft.EntityFrameworkCore;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary><c>refund_sagas</c>.</summary>
public sealed class RefundSagaTable : ISagaTable<RefundState>
{
    public Task<RefundState?> LoadForUpdate(PaymentsDbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        db.RefundSagas
            .FromSql($"SELECT * FROM refund_sagas WHERE correlation_id = {correlationId} FOR UPDATE")
            .AsTracking()
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<bool> InsertIfAbsent(PaymentsDbContext db, RefundState instance, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO refund_sagas (correlation_id, current_state, payment_id, user_id, amount, currency, attempts,
                                       outcome_unknown, created_at, updated_at)
             VALUES ({instance.CorrelationId}, {instance.CurrentState ?? "Initial"}, {instance.PaymentId}, {instance.UserId},
                     {instance.Amount}, {instance.Currency ?? ""}, {instance.Attempts}, false, {instance.CreatedAt}, {instance.UpdatedAt})
             ON CONFLICT (correlation_id) DO NOTHING
             """, cancellationToken) > 0;

    public Task BeforeSave(PaymentsDbContext db, RefundState instance, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Touch(RefundState instance, DateTimeOffset now) => instance.UpdatedAt = now;
}
