using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Payments.Api.OpenApi;

/// <summary>A header a response sets (read by <see cref="ResponseHeaders"/>).</summary>
public sealed record ResponseHeaderMetadata(int StatusCode, string Name, bool Required);

/// <summary>The response headers the API sets, described once; an endpoint names the ones it sends.</summary>
public sealed class ResponseHeaders : IOpenApiOperationTransformer
{
    public const string Location = "Location";
    public const string IdempotentReplayed = "Idempotent-Replayed";
    public const string RetryAfter = "Retry-After";
    public const string WwwAuthenticate = "WWW-Authenticate";

    public static OpenApiHeader Create(string name, bool required) => name switch
    {
        Location => Header(required, "The created resource's address (the payment's, refund's or webhook endpoint's).", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            "/payments/0197a5f2-5c1d-7b3e-9a44-1c2d3e4f5a6b"),
        IdempotentReplayed => Header(required,
            "`true` when this is the stored answer to an earlier request with the same Idempotency-Key and body (nothing new was created); absent otherwise.",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["true"] }, "true"),
        RetryAfter => Header(required, "Seconds to wait before sending the same request again.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" }, 1),
        WwwAuthenticate => Header(required, "The authentication scheme to use: `Bearer`.",
            new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^Bearer" }, "Bearer"),
        _ => throw new ArgumentException($"no description of the response header {name}", nameof(name)),
    };

    static OpenApiHeader Header(bool required, string description, OpenApiSchema schema, JsonNode example) =>
        new() { Required = required, Description = description, Schema = schema, Example = example };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var header in context.Description.ActionDescriptor.EndpointMetadata.OfType<ResponseHeaderMetadata>())
        {
            var response = (OpenApiResponse)operation.Responses![header.StatusCode.ToString(CultureInfo.InvariantCulture)];
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[header.Name] = Create(header.Name, header.Required);
        }
        return Task.CompletedTask;
    }
}

public static class ResponseHeaderConventions
{
    /// <summary>Documents that the endpoint's <paramref name="statusCode"/> response carries the header <paramref name="name"/>.</summary>
    public static TBuilder ProducesHeader<TBuilder>(this TBuilder builder, int statusCode, string name, bool required = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeaderMetadata(statusCode, name, required));
}
