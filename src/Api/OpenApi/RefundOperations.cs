using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Refunds;
using static Payments.Api.OpenApi.PaymentOperations;

namespace Payments.Api.OpenApi;

/// <summary>
/// What each refund operation takes beyond its handler's signature (as <see cref="PaymentOperations"/> for payments): the
/// Idempotency-Key, the request body (written here: the request type is a reader, not a shape), the ids and examples.
/// </summary>
public static class RefundOperations
{
    public const string CreateRequestSchema = nameof(CreateRefundRequest);

    public static Task Create(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        PaymentId(operation);
        IdempotencyKey(operation, "refund");
        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[CreateRequestSchema] = RequestSchema();
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchemaReference(CreateRequestSchema, document),
                    Example = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(RefundExamples.Request)),
                },
            },
        };
        Example(operation, StatusCodes.Status201Created, PaymentExamples.Json(RefundExamples.Pending, Json(context)));
        return Task.CompletedTask;
    }

    public static Task List(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        PaymentId(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(RefundExamples.List, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Get(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var id = Parameter(operation, "id");
        id.Description = "The refund's id (from `Location` or `id`).";
        id.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
        id.Example = RefundExamples.Succeeded.Id.ToString();
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(RefundExamples.Succeeded, Json(context)));
        return Task.CompletedTask;
    }

    /// <summary>
    /// The body <see cref="CreateRefundRequest.Parse"/> accepts. An amount below 1, above what remains, or a currency other than
    /// the payment's are refused after (a <c>422</c>), which a schema without the payment cannot say but in words.
    /// </summary>
    static OpenApiSchema RequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        AdditionalPropertiesAllowed = false,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["amount"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer | JsonSchemaType.Null,
                Format = "int64",
                Description = "In minor units, a plain JSON integer: at least 1 and at most what the payment can still refund (its amount "
                              + "less its pending and succeeded refunds), else `422`. Absent or null: all that remains.",
            },
            ["currency"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Pattern = "^[A-Z]{3}$",
                Description = "Optional: if sent, the payment's currency (another one is `422`). Refunds are always in the payment's currency.",
            },
            ["reason"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                MaxLength = CreateRefundRequest.MaxReasonLength,
                Pattern = @"^[^\u0000-\u001F\u007F-\u009F]*$",
                Description = "Why, for your records: free text without control characters; null is the same as absent.",
            },
        },
    };
}
