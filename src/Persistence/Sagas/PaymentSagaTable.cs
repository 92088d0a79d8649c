using Microsoft.EntityFrameworkCore;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary><c>payment_sagas</c>; saving a state also writes the history its transition recorded, in the same transaction.</summary>
public sealed class PaymentSagaTable : ISagaTable<PaymentState>
{
    public Task<PaymentState?> LoadForUpdate(PaymentsDbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        db.PaymentSagas
            .FromSql($"SELECT * FROM payment_sagas WHERE correlation_id = {correlationId} FOR UPDATE")
            .AsTracking()
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<bool> InsertIfAbsent(PaymentsDbContext db, PaymentState instance, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO payment_sagas (correlation_id, current_state, user_id, amount, currency, attempts,
                                        created_at, updated_at)
             VALUES ({instance.CorrelationId}, {instance.CurrentState ?? "Initial"}, {instance.UserId}, {instance.Amount},
                     {instance.Currency ?? ""}, {instance.Attempts}, {instance.CreatedAt}, {instance.UpdatedAt})
             ON CONFLICT (correlation_id) DO NOTHING
             """, cancellationToken) > 0;

    public Task BeforeSave(PaymentsDbContext db, PaymentState instance, CancellationToken cancellationToken) =>
        PaymentHistoryRows.Append(db, instance, cancellationToken);

    public void Touch(PaymentState instance, DateTimeOffset now) => instance.UpdatedAt = now;
}
