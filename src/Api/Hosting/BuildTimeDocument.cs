using System.Reflection;

namespace Payments.Api;

/// <summary>
/// <c>dotnet build</c> writes the OpenAPI document by running this entry point under GetDocument.Insider
/// (Microsoft.Extensions.ApiDescription.Server). That run builds and starts the host (without a server) to read the
/// endpoints, so it must need no database, no signing key and no bus: it gets placeholders that are never used, and
/// none of the app's background services.
/// </summary>
public static class BuildTimeDocument
{
    public static bool IsGenerating => Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>Adds the API with <paramref name="addApi"/> for describing it only: placeholder settings, nothing started.</summary>
    public static void AddApiToDescribe(WebApplicationBuilder builder, Action<WebApplicationBuilder> addApi)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Never contacted (no request is served) and never opened (nothing queries); an empty key counts as none.
            ["Auth:SigningKey"] = "",
            ["Auth:Authority"] = "https://openapi-generation.invalid",
            ["ConnectionStrings:Payments"] = "Host=openapi-generation.invalid",
        });
        var hostedBefore = builder.Services.Where(IsHostedService).ToHashSet();
        addApi(builder);
        // The generator starts the host: the outbox delivery, the retention cleanup and the like would reach for Postgres.
        foreach (var added in builder.Services.Where(s => IsHostedService(s) && !hostedBefore.Contains(s)).ToList())
            builder.Services.Remove(added);
    }

    static bool IsHostedService(ServiceDescriptor service) => service.ServiceType == typeof(IHostedService);
}
