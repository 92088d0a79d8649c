using Payments.Persistence.Analytics;

namespace Payments.Api.Analytics;

/// <summary>The answer of <c>GET /analytics/daily</c>: the range asked for, and each (day, currency) in it that had an outcome.</summary>
public sealed record DailyAnalyticsResponse(DateOnly From, DateOnly To, IReadOnlyList<DailyAnalyticsDay> Days);

/// <summary>
/// One (day, currency): payments that ended SUCCESS and FAILED, refunds that ended SUCCEEDED (<c>refunded</c>) and FAILED,
/// and the payments' seconds to terminal (null on a day when only refunds finished).
/// </summary>
public sealed record DailyAnalyticsDay(DateOnly Date, string Currency, OutcomeTotals Succeeded, OutcomeTotals Failed,
    OutcomeTotals Refunded, OutcomeTotals RefundsFailed, SecondsToTerminal? SecondsToTerminal)
{
    public static DailyAnalyticsDay From(DailyFigures f) =>
        new(f.Day, f.Currency, new OutcomeTotals(f.SucceededCount, f.SucceededAmount), new OutcomeTotals(f.FailedCount, f.FailedAmount),
            new OutcomeTotals(f.RefundedCount, f.RefundedAmount), new OutcomeTotals(f.RefundsFailedCount, f.RefundsFailedAmount),
            f is { P50: { } p50, P95: { } p95 } ? new SecondsToTerminal(Math.Round(p50, 3), Math.Round(p95, 3)) : null);
}

/// <summary>How many payments (or refunds) ended so, and their amounts' sum in minor units.</summary>
public sealed record OutcomeTotals(int Count, long Amount);

/// <summary>Percentiles of the seconds from creation to SUCCESS or FAILED, over both outcomes of the day, to the millisecond.</summary>
public sealed record SecondsToTerminal(double P50, double P95);
