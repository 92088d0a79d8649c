using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Problems;

namespace Payments.Api.OpenApi;

/// <summary>The <c>Problem</c> schema every error response refers to (RFC 9457), listing every stable <c>type</c>.</summary>
public sealed class ProblemSchema : IOpenApiDocumentTransformer
{
    public const string Name = "Problem";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var problems = ProblemSamples.All.Select(p => ApiProblems.Describe(p).Problem).ToList();
        var types = string.Join("\n", problems.Select(p => $"- `{p.Type}` ({p.Status}): {p.Title}"));
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Name] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An error (RFC 9457 problem details). Switch on `type`, which is stable; `title` and `detail` are for people.",
            Required = new HashSet<string> { "type", "title", "status", "trace_id" },
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Format = "uri",
                    Enum = [.. problems.Select(p => (JsonNode)p.Type!)],
                    Description = "What went wrong, as a stable URN:\n\n" + types,
                },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A summary of the type, for people." },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What to do about this occurrence, for people." },
                ["field"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The request field or header at fault (`user_id`, `amount`, `Idempotency-Key`, `Content-Type`).",
                },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Validation (`400`) and unprocessable (`422`) problems only: each offending field (`metadata.<key>` for a metadata entry) with what is wrong with it.",
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        MinItems = 1,
                        Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
                ["payment_status"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "`payment-not-refundable` only: the payment's status (`PENDING` or `FAILED`).",
                },
                ["remaining_refundable"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int64",
                    Minimum = "0",
                    Description = "`refund-exceeds-remaining` only: what the payment can still refund, in minor units (pending refunds count).",
                },
                ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, for support." },
            },
        };
        return Task.CompletedTask;
    }
}
