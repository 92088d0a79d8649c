using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Payments.Api.OpenApi;

/// <summary>
/// The health endpoints (<see cref="HealthEndpoints"/>): health-check middleware, which the generator does not see, so
/// they are described here. They answer the overall status as plain text, without a token.
/// </summary>
public sealed class HealthPaths : IOpenApiDocumentTransformer
{
    public const string Tag = "Health";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= [];
        document.Paths[HealthEndpoints.LivePath] = Path(document, "HealthLive", "Liveness: the process answers (checks nothing else).",
            unhealthy: false);
        document.Paths[HealthEndpoints.ReadyPath] = Path(document, "HealthReady", "Readiness: the process answers and reaches PostgreSQL.",
            unhealthy: true);
        return Task.CompletedTask;
    }

    static OpenApiPathItem Path(OpenApiDocument document, string operationId, string summary, bool unhealthy)
    {
        var responses = new OpenApiResponses { ["200"] = Status("Healthy", "Healthy.") };
        if (unhealthy)
            responses["503"] = Status("Unhealthy", "A dependency does not answer (in time).");
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = operationId,
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                    Responses = responses,
                },
            },
        };
    }

    static OpenApiResponse Status(string status, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [status] }, Example = status },
        },
    };
}
