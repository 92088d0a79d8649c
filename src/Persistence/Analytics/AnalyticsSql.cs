namespace Payments.Persistence.Analytics;

/// <summary>
/// The SQL the incremental path, the rebuild and the comparison share, so the facts are derived one way only: a payment's
/// UTC day of <c>completed_at</c> and the seconds from <c>created_at</c> to it; a refund's UTC day of <c>completed_at</c>.
/// </summary>
public static class AnalyticsSql
{
    public const string Columns = "payment_id, user_id, currency, day, status, amount, seconds";

    public const string RefundColumns = "refund_id, payment_id, user_id, currency, day, status, amount";

    /// <summary>Every terminal payment's facts, derived from <c>payments</c> alone.</summary>
    public const string FromPayments =
        """
        SELECT id AS payment_id, user_id, currency, (completed_at AT TIME ZONE 'UTC')::date AS day, status, amount,
               EXTRACT(EPOCH FROM completed_at - created_at)::double precision AS seconds
          FROM payments
         WHERE status IN ('SUCCESS', 'FAILED') AND completed_at IS NOT NULL
        """;

    /// <summary>Every terminal refund's facts, derived from <c>refunds</c> alone.</summary>
    public const string FromRefunds =
        """
        SELECT id AS refund_id, payment_id, user_id, currency, (completed_at AT TIME ZONE 'UTC')::date AS day, status, amount
          FROM refunds
         WHERE status IN ('SUCCEEDED', 'FAILED') AND completed_at IS NOT NULL
        """;

    /// <summary>
    /// The daily figures of a set of facts (<paramref name="payments"/>: a relation with <see cref="Columns"/>;
    /// <paramref name="refunds"/>: one with <see cref="RefundColumns"/>), one row per (user, day, currency) with any outcome.
    /// The percentiles interpolate (<c>percentile_cont</c>) over both payment outcomes of the day; null on a day with refunds only.
    /// </summary>
    public static string Figures(string payments, string refunds) =>
        $"""
         SELECT user_id, day, currency,
                count(*) FILTER (WHERE kind = 'payment' AND status = 'SUCCESS') AS succeeded_count,
                COALESCE(sum(amount) FILTER (WHERE kind = 'payment' AND status = 'SUCCESS'), 0)::bigint AS succeeded_amount,
                count(*) FILTER (WHERE kind = 'payment' AND status = 'FAILED') AS failed_count,
                COALESCE(sum(amount) FILTER (WHERE kind = 'payment' AND status = 'FAILED'), 0)::bigint AS failed_amount,
                count(*) FILTER (WHERE kind = 'refund' AND status = 'SUCCEEDED') AS refunded_count,
                COALESCE(sum(amount) FILTER (WHERE kind = 'refund' AND status = 'SUCCEEDED'), 0)::bigint AS refunded_amount,
                count(*) FILTER (WHERE kind = 'refund' AND status = 'FAILED') AS refunds_failed_count,
                COALESCE(sum(amount) FILTER (WHERE kind = 'refund' AND status = 'FAILED'), 0)::bigint AS refunds_failed_amount,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'payment') AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'payment') AS p95
           FROM (SELECT 'payment' AS kind, user_id, day, currency, status, amount, seconds FROM ({payments}) p
                 UNION ALL
                 SELECT 'refund', user_id, day, currency, status, amount, NULL::double precision FROM ({refunds}) r) facts
          GROUP BY user_id, day, currency
         """;

    /// <summary>How many (user, day, currency) figures the tables and a recomputation from <c>payments</c> and <c>refunds</c> disagree on.</summary>
    public static readonly string DifferingFigures =
        $"""
         WITH incremental AS ({Figures("SELECT * FROM analytics_payment_outcomes", "SELECT * FROM analytics_refund_outcomes")}),
              rebuilt AS ({Figures(FromPayments, FromRefunds)})
         SELECT count(*)::int AS "Value" FROM ((TABLE incremental EXCEPT TABLE rebuilt) UNION ALL (TABLE rebuilt EXCEPT TABLE incremental)) differing
         """;
}
