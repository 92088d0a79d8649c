using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Analytics;

/// <summary>
/// <c>analytics rebuild</c>: the per-payment and per-refund facts recomputed from <c>payments</c> and <c>refunds</c> (their
/// terminal rows) in one transaction.
/// An outcome consumed during the rebuild either is in the recomputation already or conflicts with it and adds nothing.
/// </summary>
public sealed class AnalyticsRebuild(PaymentsDbContext db)
{
    static readonly string RecomputeSql =
        $"""
         INSERT INTO analytics_payment_outcomes ({AnalyticsSql.Columns})
         SELECT {AnalyticsSql.Columns} FROM ({AnalyticsSql.FromPayments}) recomputed
         ON CONFLICT (payment_id) DO NOTHING
         """;

    static readonly string RecomputeRefundsSql =
        $"""
         INSERT INTO analytics_refund_outcomes ({AnalyticsSql.RefundColumns})
         SELECT {AnalyticsSql.RefundColumns} FROM ({AnalyticsSql.FromRefunds}) recomputed
         ON CONFLICT (refund_id) DO NOTHING
         """;

    /// <summary>How many (user, day, currency) figures differ between the table and a recomputation from <c>payments</c>.</summary>
    public async Task<int> DifferingFigures(CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<int>(AnalyticsSql.DifferingFigures).SingleAsync(cancellationToken);

    /// <summary>Replaces the facts with the recomputed ones; returns how many figures differed before, and how many payments and refunds it counted.</summary>
    public async Task<RebuildResult> Run(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var differing = await DifferingFigures(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM analytics_payment_outcomes", cancellationToken);
        var payments = await db.Database.ExecuteSqlRawAsync(RecomputeSql, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM analytics_refund_outcomes", cancellationToken);
        var refunds = await db.Database.ExecuteSqlRawAsync(RecomputeRefundsSql, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RebuildResult(payments, refunds, differing);
    }
}

public sealed record RebuildResult(int Payments, int Refunds, int DifferingFigures);
