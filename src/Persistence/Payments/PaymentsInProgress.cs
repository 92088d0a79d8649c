using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Payments;

/// <summary>
/// Payments accepted and not yet finished (PENDING), wherever they are: their <c>PaymentRequested</c> waiting, their saga
/// charging or retrying. Admission control bounds it: work in progress rather than intake, so the API cannot take the
/// CPU and the database from the later steps of the payments it already accepted.
/// </summary>
public sealed class PaymentsInProgress(PaymentsDbContext db)
{
    /// <summary>
    /// Counts them, stopping at <paramref name="cap"/>: the caller only needs to know whether the bound is passed, and the
    /// cost stays bounded by the PENDING payments read (<c>IX_payments_pending</c>) however deep the backlog.
    /// </summary>
    public async Task<long> Count(int cap, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<long>($"""
                                           SELECT count(*) AS "Value"
                                             FROM (SELECT 1 FROM payments p WHERE p.status = 'PENDING' LIMIT {cap}) AS in_progress
                                           """)
            .ToListAsync(cancellationToken)).Single();
}
