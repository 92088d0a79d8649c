using Payments.Api.OpenApi;
using static Payments.Api.Problems.ApiProblems;

namespace Payments.Api.Analytics;

public static class AnalyticsEndpoints
{
    public const string Tag = "Analytics";

    public static void MapAnalyticsEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/analytics/daily", GetDailyAnalytics.Handle)
            .RequireAuthorization()
            .WithTags(Tag)
            .WithName("GetDailyAnalytics")
            .WithSummary("Your daily payment figures")
            .WithDescription("For each UTC day from `from` to `to` (both included, at most 366 days) and each currency that had a payment "
                             + "finish that day: how many succeeded and failed, their amounts, and the 50th and 95th percentiles of the seconds "
                             + "from creation to `SUCCESS` or `FAILED`. Days without a finished payment are left out. Only your own payments count.")
            .AddOpenApiOperationTransformer(AnalyticsOperations.Daily)
            .Produces<DailyAnalyticsResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status401Unauthorized, Types.Unauthorized)
            .ProducesProblems(StatusCodes.Status500InternalServerError, Types.Internal);
}
