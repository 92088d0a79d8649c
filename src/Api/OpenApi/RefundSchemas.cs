using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Refunds;
using Payments.Contracts;

namespace Payments.Api.OpenApi;

/// <summary>What the generator cannot see in a refund: its statuses, its bounds and what null means.</summary>
public sealed class RefundSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(RefundResponse))
            return Task.CompletedTask;
        var properties = schema.Properties!;
        properties["status"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [RefundStatus.Pending, RefundStatus.Succeeded, RefundStatus.Failed],
            Description = "`PENDING` until the gateway has answered for good; `SUCCEEDED` and `FAILED` never change (a `FAILED` refund's "
                          + "amount is refundable again).",
        };
        properties["amount"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Description = "In minor units." };
        properties["currency"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String, Pattern = "^[A-Z]{3}$", Description = "ISO 4217 code: always the payment's.",
        };
        properties["reason"] = Nullable("Your reason, as sent; null if none.");
        properties["failure_reason"] = Nullable("Why a `FAILED` refund failed; null otherwise.");
        properties["completed_at"] = Nullable("When it became `SUCCEEDED` or `FAILED`; null while `PENDING`.", "date-time");
        return Task.CompletedTask;
    }

    static OpenApiSchema Nullable(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = format, Description = description };
}
