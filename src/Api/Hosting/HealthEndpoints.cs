using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Payments.Persistence;

namespace Payments.Api;

public static class HealthEndpoints
{
    const string Ready = "ready";

    public static void AddPaymentsHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddPaymentsDatabaseCheck(Ready);

    /// <summary>Live: the process answers. Ready: it can reach Postgres.</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
    }
}
