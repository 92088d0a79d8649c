using System.Globalization;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Analytics;

namespace Payments.Api.Analytics;

/// <summary><c>GET /analytics/daily?from=&amp;to=</c>: the caller's own daily figures over an inclusive range of UTC dates.</summary>
public static class GetDailyAnalytics
{
    public const int MaxDays = 366;
    public const string DateFormat = "yyyy-MM-dd";

    public static async Task<IResult> Handle(HttpContext http, AnalyticsQueries analytics, CancellationToken cancellationToken,
        string? from = null, string? to = null)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        var errors = new Dictionary<string, string[]>();
        var first = Date("from", from, errors);
        var last = Date("to", to, errors);
        if (first is { } f && last is { } l)
        {
            if (l < f)
                errors["to"] = ["must not be before from"];
            else if (l.DayNumber - f.DayNumber + 1 > MaxDays)
                errors["to"] = [$"must be within {MaxDays} days of from, both included"];
        }
        if (errors.Count > 0)
            return ApiProblems.Validation(errors);

        var days = await analytics.Daily(userId, first!.Value, last!.Value, cancellationToken);
        return TypedResults.Ok(new DailyAnalyticsResponse(first.Value, last.Value, [.. days.Select(DailyAnalyticsDay.From)]));
    }

    static DateOnly? Date(string name, string? text, Dictionary<string, string[]> errors)
    {
        if (text is null)
            errors[name] = [$"is required: a UTC date, {DateFormat.ToUpperInvariant()}"];
        else if (DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        else
            errors[name] = [$"must be a date as {DateFormat.ToUpperInvariant()}"];
        return null;
    }
}
