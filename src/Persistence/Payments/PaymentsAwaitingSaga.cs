using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Payments;

/// <summary>
/// Payments accepted (PENDING) that the saga has not started yet: the intake backlog, wherever its
/// <c>PaymentRequested</c> waits (outbox row, in-memory or SQS queue). Admission control bounds it.
/// </summary>
public sealed class PaymentsAwaitingSaga(PaymentsDbContext db)
{
    /// <summary>
    /// Counts them, stopping at <paramref name="cap"/>: the caller only needs to know whether the bound is passed, and the
    /// cost stays bounded by the PENDING payments read (<c>IX_payments_pending</c>) however deep the backlog.
    /// </summary>
    public async Task<long> Count(int cap, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<long>($"""
                                           SELECT count(*) AS "Value"
                                             FROM (SELECT 1 FROM payments p
                                                    WHERE p.status = 'PENDING'
                                                      AND NOT EXISTS (SELECT 1 FROM payment_sagas s WHERE s.correlation_id = p.id)
                                                    LIMIT {cap}) AS waiting
                                           """)
            .ToListAsync(cancellationToken)).Single();
}
