using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Payments.Api.Payments;

namespace Payments.Api.OpenApi;

/// <summary>
/// What each payment operation takes beyond its handler's signature (the handlers read the body, the header and the
/// query themselves, to answer with their own problems): parameters with their types and limits, the request body, and
/// examples.
/// </summary>
public static class PaymentOperations
{
    public static async Task Create(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var json = Json(context);
        IdempotencyKey(operation, "payment");

        var schema = await context.GetOrCreateSchemaAsync(typeof(CreatePaymentRequest), null, cancellationToken);
        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[nameof(CreatePaymentRequest)] = schema;
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchemaReference(nameof(CreatePaymentRequest), document),
                    Example = PaymentExamples.Json(PaymentExamples.Request, json),
                },
            },
        };
        Example(operation, StatusCodes.Status201Created, PaymentExamples.Json(PaymentExamples.Pending, json));
    }

    public static Task Get(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        PaymentId(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(PaymentExamples.Succeeded, Json(context)));
        return Task.CompletedTask;
    }

    public static Task List(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        Page(operation);
        var status = Parameter(operation, "status");
        status.Description = "Only payments in this status.";
        status.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. ListPayments.Statuses.Select(s => (JsonNode)s)] };
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(PaymentExamples.Page, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Events(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        PaymentId(operation);
        Page(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(PaymentExamples.History, Json(context)));
        return Task.CompletedTask;
    }

    /// <summary>The <c>{id}</c> of an operation on one payment.</summary>
    public static void PaymentId(OpenApiOperation operation)
    {
        var id = Parameter(operation, "id");
        id.Description = "The payment's id (from `Location` or `id`).";
        id.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
        id.Example = PaymentExamples.Succeeded.Id.ToString();
    }

    /// <summary>The <c>limit</c> and <c>cursor</c> of a keyset-paginated list (the bounds of <see cref="ListPayments"/>).</summary>
    public static void Page(OpenApiOperation operation)
    {
        var limit = Parameter(operation, "limit");
        limit.Description = "Page size.";
        limit.Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Minimum = "1",
            Maximum = ListPayments.MaxLimit.ToString(CultureInfo.InvariantCulture),
            Default = ListPayments.DefaultLimit,
        };
        var cursor = Parameter(operation, "cursor");
        cursor.Description = "The previous page's `next_cursor`, as it was (opaque); absent for the first page.";
        cursor.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
    }

    /// <summary>The <c>Idempotency-Key</c> header of a create operation, for <paramref name="what"/> it creates.</summary>
    public static void IdempotencyKey(OpenApiOperation operation, string what)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyKeyHeader.Name,
            In = ParameterLocation.Header,
            Required = true,
            Description = $"Your unique key for this {what} (a uuid is a good choice): a retry with the same key and body gets the first "
                          + "answer again, with `Idempotent-Replayed: true`. Kept 25 hours. 1 to "
                          + $"{IdempotencyKeyHeader.MaxLength} visible ASCII characters, sent once; it may be quoted (`\"key\"`, "
                          + "the quotes not counted).",
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = IdempotencyKeyHeader.MaxLength + 2,
                Pattern = IdempotencyKeyHeader.Pattern,
            },
            Example = "5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        });
    }

    internal static OpenApiParameter Parameter(OpenApiOperation operation, string name) =>
        operation.Parameters?.OfType<OpenApiParameter>().SingleOrDefault(p => p.Name == name)
        ?? throw new InvalidOperationException($"{operation.OperationId} has no parameter {name}");

    internal static void Example(OpenApiOperation operation, int status, JsonNode example) =>
        ((OpenApiResponse)operation.Responses![status.ToString(CultureInfo.InvariantCulture)]).Content!["application/json"].Example = example;

    internal static JsonSerializerOptions Json(OpenApiOperationTransformerContext context) =>
        context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
}
