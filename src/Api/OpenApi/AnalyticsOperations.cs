using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Analytics;
using static Payments.Api.OpenApi.PaymentOperations;

namespace Payments.Api.OpenApi;

/// <summary>What <c>GET /analytics/daily</c> takes beyond its handler's signature: its two dates, required, and an example.</summary>
public static class AnalyticsOperations
{
    static readonly DailyAnalyticsResponse Sample = new(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2),
    [
        new(new DateOnly(2026, 3, 1), "EUR", new OutcomeTotals(3, 7497), new OutcomeTotals(1, 2551), new OutcomeTotals(1, 1000),
            new OutcomeTotals(0, 0), new SecondsToTerminal(0.412, 1.873)),
        new(new DateOnly(2026, 3, 2), "USD", new OutcomeTotals(12, 41988), new OutcomeTotals(0, 0), new OutcomeTotals(0, 0),
            new OutcomeTotals(0, 0), new SecondsToTerminal(0.398, 0.955)),
        new(new DateOnly(2026, 3, 2), "EUR", new OutcomeTotals(0, 0), new OutcomeTotals(0, 0), new OutcomeTotals(2, 3499),
            new OutcomeTotals(1, 500), null),
    ]);

    public static Task Daily(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        Date(operation, "from", "The first UTC day, included.", "2026-03-01");
        Date(operation, "to", $"The last UTC day, included: not before `from`, at most {GetDailyAnalytics.MaxDays} days in all.", "2026-03-02");
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(Sample, Json(context)));
        return Task.CompletedTask;
    }

    static void Date(OpenApiOperation operation, string name, string description, string example)
    {
        var parameter = Parameter(operation, name);
        parameter.Required = true;
        parameter.Description = description;
        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date", Pattern = @"^\d{4}-\d{2}-\d{2}$" };
        parameter.Example = example;
    }
}
