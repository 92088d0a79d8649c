namespace Payments.Persistence.Analytics;

/// <summary>
/// The SQL the incremental path, the rebuild and the comparison share, so a payment's facts are derived one way only:
/// the UTC day of <c>completed_at</c>, and the seconds from <c>created_at</c> to it.
/// </summary>
public static class AnalyticsSql
{
    public const string Columns = "payment_id, user_id, currency, day, status, amount, seconds";

    /// <summary>Every terminal payment's facts, derived from <c>payments</c> alone.</summary>
    public const string FromPayments =
        """
        SELECT id AS payment_id, user_id, currency, (completed_at AT TIME ZONE 'UTC')::date AS day, status, amount,
               EXTRACT(EPOCH FROM completed_at - created_at)::double precision AS seconds
          FROM payments
         WHERE status IN ('SUCCESS', 'FAILED') AND completed_at IS NOT NULL
        """;

    /// <summary>
    /// The daily figures of a set of facts (<paramref name="source"/>: a relation with <see cref="Columns"/>), one row per
    /// (user, day, currency). The percentiles interpolate (<c>percentile_cont</c>) over both outcomes of the day.
    /// </summary>
    public static string Figures(string source) =>
        $"""
         SELECT user_id, day, currency,
                count(*) FILTER (WHERE status = 'SUCCESS') AS succeeded_count,
                COALESCE(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0)::bigint AS succeeded_amount,
                count(*) FILTER (WHERE status = 'FAILED') AS failed_count,
                COALESCE(sum(amount) FILTER (WHERE status = 'FAILED'), 0)::bigint AS failed_amount,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) AS p95
           FROM ({source}) facts
          GROUP BY user_id, day, currency
         """;

    /// <summary>How many (user, day, currency) figures the table and a recomputation from <c>payments</c> disagree on.</summary>
    public static readonly string DifferingFigures =
        $"""
         WITH incremental AS ({Figures("SELECT * FROM analytics_payment_outcomes")}),
              rebuilt AS ({Figures(FromPayments)})
         SELECT count(*)::int AS "Value" FROM ((TABLE incremental EXCEPT TABLE rebuilt) UNION ALL (TABLE rebuilt EXCEPT TABLE incremental)) differing
         """;
}
