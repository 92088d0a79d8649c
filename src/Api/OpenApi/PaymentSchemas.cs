using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Payments.Api.Payments;
using Payments.Sagas;

namespace Payments.Api.OpenApi;

/// <summary>
/// What the generator cannot see in the types: the request's limits, read from the same <see cref="PaymentRules"/> the
/// validator (<see cref="CreatePaymentRequest.Parse"/>) enforces, the status values, and that the API's objects have
/// exactly the properties described.
/// </summary>
public sealed class PaymentSchemas(IOptions<PaymentRules> rules) : IOpenApiSchemaTransformer
{
    /// <summary>No control characters (<see cref="char.IsControl"/>: C0, DEL and C1).</summary>
    const string NoControlCharacters = @"^[^\u0000-\u001F\u007F-\u009F]*$";

    /// <summary>A uuid in its hyphenated form (<c>Guid.TryParseExact(value, "D")</c>).</summary>
    const string Uuid = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object
            && type.Namespace?.StartsWith("Payments.", StringComparison.Ordinal) == true)
            schema.AdditionalPropertiesAllowed = false;

        if (type == typeof(CreatePaymentRequest))
            DescribeRequest(schema, rules.Value);
        else if (type == typeof(PaymentResponse))
            DescribeResponse(schema);
        else if (type == typeof(PaymentPage) || type == typeof(PaymentEventPage))
            schema.Properties!["next_cursor"] = Nullable(JsonSchemaType.String,
                "Pass as `cursor` to get the next page; null on the last page.");
        else if (type == typeof(PaymentEventResponse))
            DescribeEvent(schema);
        return Task.CompletedTask;
    }

    static void DescribeRequest(OpenApiSchema schema, PaymentRules rules)
    {
        schema.Required = new HashSet<string> { "user_id", "amount", "currency" };
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["user_id"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "uuid",
                Pattern = Uuid,
                Not = new OpenApiSchema { Enum = [Guid.Empty.ToString()] },
                Description = "The authenticated user (the token's `sub`); not the nil uuid.",
            },
            ["amount"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int64",
                Minimum = "1",
                Maximum = rules.MaxAmount.ToString(CultureInfo.InvariantCulture),
                Description = "In minor units (cents): a plain JSON integer, without fraction or exponent.",
            },
            ["currency"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. rules.Currencies.Select(c => (JsonNode)c)],
                Description = "ISO 4217 code, upper case.",
            },
            ["description"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                MaxLength = rules.MaxDescriptionLength,
                Pattern = NoControlCharacters,
                Description = "Free text without control characters; null is the same as absent.",
            },
            ["metadata"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                MaxProperties = rules.MaxMetadataEntries,
                PropertyNames = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    MinLength = 1,
                    MaxLength = rules.MaxMetadataKeyLength,
                    Pattern = NoControlCharacters,
                },
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = rules.MaxMetadataValueLength },
                Description = "String keys and values of your own, returned as sent; null is the same as absent.",
            },
        };
    }

    static void DescribeResponse(OpenApiSchema schema)
    {
        var properties = schema.Properties!;
        properties["status"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. ListPayments.Statuses.Select(s => (JsonNode)s)],
            Description = "`PENDING` until the gateway has answered for good; `SUCCESS` and `FAILED` never change.",
        };
        properties["amount"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Description = "In minor units." };
        properties["currency"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Z]{3}$", Description = "ISO 4217 code." };
        properties["failure_reason"] = Nullable(JsonSchemaType.String, "Why a `FAILED` payment failed; null otherwise.");
        properties["amount_refunded"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int64",
            Minimum = "0",
            Description = "What succeeded refunds gave back, in minor units (pending refunds not yet): at most `amount`. The status stays `SUCCESS`.",
        };
        properties["completed_at"] = Nullable(JsonSchemaType.String, "When it became `SUCCESS` or `FAILED`; null while `PENDING`.", "date-time");
    }

    /// <summary>One step of a payment's history (docs/payment-history.md says what each type carries).</summary>
    static void DescribeEvent(OpenApiSchema schema)
    {
        var properties = schema.Properties!;
        properties["id"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Description = "Grows with each step of the payment: the order of its history.",
        };
        properties["type"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. PaymentEventTypes.All.Select(t => (JsonNode)t)],
            Description = "What happened; new types may be added, none is renamed.",
        };
        properties["occurred_at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When it happened." };
        properties["attempt"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer | JsonSchemaType.Null,
            Format = "int32",
            Minimum = "1",
            Description = "The charge attempt the step belongs to (for `retry.scheduled`, the one it will send); null for the others.",
        };
        properties["detail"] = Nullable(JsonSchemaType.String, "The gateway's reason, the error or the failure reason, where the type has one.");
        properties["due_at"] = Nullable(JsonSchemaType.String, "When a `retry.scheduled` falls due; null for the others.", "date-time");
    }

    static OpenApiSchema Nullable(JsonSchemaType type, string description, string? format = null) =>
        new() { Type = type | JsonSchemaType.Null, Format = format, Description = description };
}
