using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Payments.Api.Problems;

namespace Payments.Api.OpenApi;

/// <summary>The problem types an endpoint answers with one status code (read by <see cref="ProblemResponses"/>).</summary>
public sealed record ProblemTypesMetadata(int StatusCode, IReadOnlyList<string> Types);

/// <summary>
/// Problem responses in the document: application/problem+json, the shared <c>Problem</c> schema narrowed to the types
/// and status this response can carry, one example per type and the header a type sets (Retry-After, WWW-Authenticate).
/// The examples and headers come from <see cref="ApiProblems"/> itself.
/// </summary>
public sealed class ProblemResponses(IOptions<JsonOptions> json) : IOpenApiOperationTransformer
{
    public const string ContentType = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var byStatus = context.Description.ActionDescriptor.EndpointMetadata.OfType<ProblemTypesMetadata>()
            .GroupBy(m => m.StatusCode, m => m.Types);
        operation.Responses ??= [];
        foreach (var status in byStatus)
            operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] = Response(status.Key, status.SelectMany(t => t).Distinct().ToList(), context.Document!);
        // In status order, whether a response was declared by the endpoint or by its group.
        var sorted = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in sorted)
            operation.Responses[status] = response;
        return Task.CompletedTask;
    }

    OpenApiResponse Response(int status, List<string> types, OpenApiDocument document)
    {
        var samples = types.Select(ProblemSamples.For).ToList();
        var headers = samples.Select(s => ApiProblems.Describe(s).Header).OfType<string>().Distinct()
            .ToDictionary(name => name, name => (IOpenApiHeader)ResponseHeaders.Create(name, required: samples.Count == 1));
        return new OpenApiResponse
        {
            Description = ReasonPhrases.GetReasonPhrase(status),
            Headers = headers.Count > 0 ? headers : null,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ContentType] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        AllOf =
                        [
                            new OpenApiSchemaReference(ProblemSchema.Name, document),
                            new OpenApiSchema
                            {
                                Properties = new Dictionary<string, IOpenApiSchema>
                                {
                                    ["type"] = new OpenApiSchema { Enum = [.. types.Select(t => (JsonNode)t)] },
                                    ["status"] = new OpenApiSchema { Enum = [JsonValue.Create(status)] },
                                },
                            },
                        ],
                    },
                    Examples = samples.ToDictionary(
                        s => ApiProblems.Describe(s).Problem.Type![ApiProblems.TypePrefix.Length..],
                        s => (IOpenApiExample)new OpenApiExample
                        {
                            Summary = ApiProblems.Describe(s).Problem.Title,
                            Value = ProblemSamples.Json(s, json.Value.SerializerOptions),
                        }),
                },
            },
        };
    }
}

public static class ProblemResponseConventions
{
    /// <summary>Documents that the endpoint (or every endpoint of a group) answers <paramref name="statusCode"/> with these problem types.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, int statusCode, params string[] types)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemTypesMetadata(statusCode, types));
}
