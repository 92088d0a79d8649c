using Payments.Persistence.Analytics;

namespace Payments.Api.Analytics;

/// <summary>The answer of <c>GET /analytics/daily</c>: the range asked for, and each (day, currency) in it that had an outcome.</summary>
public sealed record DailyAnalyticsResponse(DateOnly From, DateOnly To, IReadOnlyList<DailyAnalyticsDay> Days);

public sealed record DailyAnalyticsDay(DateOnly Date, string Currency, OutcomeTotals Succeeded, OutcomeTotals Failed,
    SecondsToTerminal SecondsToTerminal)
{
    public static DailyAnalyticsDay From(DailyFigures f) =>
        new(f.Day, f.Currency, new OutcomeTotals(f.SucceededCount, f.SucceededAmount), new OutcomeTotals(f.FailedCount, f.FailedAmount),
            new SecondsToTerminal(Math.Round(f.P50, 3), Math.Round(f.P95, 3)));
}

/// <summary>How many payments ended so, and their amounts' sum in minor units.</summary>
public sealed record OutcomeTotals(int Count, long Amount);

/// <summary>Percentiles of the seconds from creation to SUCCESS or FAILED, over both outcomes of the day, to the millisecond.</summary>
public sealed record SecondsToTerminal(double P50, double P95);
