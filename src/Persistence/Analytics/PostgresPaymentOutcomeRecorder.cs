using Microsoft.EntityFrameworkCore;
using Payments.Processing.Analytics;

namespace Payments.Persistence.Analytics;

/// <summary>
/// Records an outcome in the scope's transaction (the completion's, which finished the payment or refund). A payment's
/// creation time is the payment row's. <c>ON CONFLICT … DO NOTHING</c>: a payment or refund is counted once however often it
/// is recorded.
/// </summary>
public sealed class PostgresPaymentOutcomeRecorder(PaymentsDbContext db) : IPaymentOutcomeRecorder
{
    public async Task<bool> Record(Guid paymentId, Guid userId, string status, long amount, string currency, DateTimeOffset completedAt,
        CancellationToken cancellationToken)
    {
        var at = completedAt.ToUniversalTime();
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO analytics_payment_outcomes (payment_id, user_id, currency, day, status, amount, seconds)
             SELECT p.id, {userId}, {currency}, ({at} AT TIME ZONE 'UTC')::date, {status}, {amount},
                    EXTRACT(EPOCH FROM {at} - p.created_at)::double precision
               FROM payments p
              WHERE p.id = {paymentId}
             ON CONFLICT (payment_id) DO NOTHING
             """, cancellationToken);
        if (inserted == 0 && !await db.Payments.AnyAsync(p => p.Id == paymentId, cancellationToken))
            throw new InvalidOperationException($"Payment {paymentId} of a {status} outcome does not exist");
        return inserted == 1;
    }

    public async Task<bool> RecordRefund(Guid refundId, Guid paymentId, Guid userId, string status, long amount, string currency,
        DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        var at = completedAt.ToUniversalTime();
        return await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO analytics_refund_outcomes (refund_id, payment_id, user_id, currency, day, status, amount)
             VALUES ({refundId}, {paymentId}, {userId}, {currency}, ({at} AT TIME ZONE 'UTC')::date, {status}, {amount})
             ON CONFLICT (refund_id) DO NOTHING
             """, cancellationToken) == 1;
    }
}
