using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Payments.Persistence;

namespace Payments.Api;

public static class HealthEndpoints
{
    const string Ready = "ready";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static void AddPaymentsHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddPaymentsDatabaseCheck(Ready);

    /// <summary>Live: the process answers. Ready: it can reach Postgres.</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
    }
}
