using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Payments.Persistence.Analytics;

/// <summary>A user's daily figures for <c>GET /analytics/daily</c>, computed from the per-payment facts at read time.</summary>
public sealed class AnalyticsQueries(PaymentsDbContext db)
{
    static readonly string DailySql =
        $"""
         SELECT day AS "Day", currency AS "Currency", succeeded_count::int AS "SucceededCount", succeeded_amount AS "SucceededAmount",
                failed_count::int AS "FailedCount", failed_amount AS "FailedAmount",
                refunded_count::int AS "RefundedCount", refunded_amount AS "RefundedAmount",
                refunds_failed_count::int AS "RefundsFailedCount", refunds_failed_amount AS "RefundsFailedAmount", p50 AS "P50", p95 AS "P95"
           FROM ({AnalyticsSql.Figures(
               "SELECT * FROM analytics_payment_outcomes WHERE user_id = @user AND day BETWEEN @from AND @to",
               "SELECT * FROM analytics_refund_outcomes WHERE user_id = @user AND day BETWEEN @from AND @to")}) f
          ORDER BY day, currency
         """;

    /// <summary>Days (UTC, <paramref name="from"/> to <paramref name="to"/> inclusive) with at least one outcome, by day then currency.</summary>
    public Task<List<DailyFigures>> Daily(Guid userId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<DailyFigures>(DailySql,
                new NpgsqlParameter("user", userId), new NpgsqlParameter("from", from), new NpgsqlParameter("to", to))
            .ToListAsync(cancellationToken);
}

/// <summary>
/// One (day, currency) of a user's figures; amounts in minor units, seconds from a payment's creation to its terminal state
/// (null on a day when only refunds finished).
/// </summary>
public sealed record DailyFigures(DateOnly Day, string Currency, int SucceededCount, long SucceededAmount, int FailedCount, long FailedAmount,
    int RefundedCount, long RefundedAmount, int RefundsFailedCount, long RefundsFailedAmount, double? P50, double? P95);
