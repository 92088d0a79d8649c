using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Analytics;

/// <summary>
/// Records an outcome in the scope's transaction (the completion's, which finished the payment or refund). A payment's
/// creation time is the payment row's. <c>ON CONFLICT … DO NOTHING</c>: a payment or refund is counted once however often it
/// is recorded.
/// </summary>
public sealed class PostgresPaymentOutcomeRecorder(PaymentsDbContext db)
{
    /// <summary>
    /// Records the payment's terminal <paramref name="status"/> (<c>SUCCESS</c> or <c>FAILED</c>) once: a payment recorded
    /// before is left as it is, so nothing is counted twice. Returns whether it was new.
    /// </summary>
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

    /// <summary>As <see cref="Record"/>, for a refund's terminal <paramref name="status"/> (<c>SUCCEEDED</c> or <c>FAILED</c>).</summary>
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
