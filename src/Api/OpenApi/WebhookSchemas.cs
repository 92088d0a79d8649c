using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Webhooks;
using Payments.Processing.Webhooks;

namespace Payments.Api.OpenApi;

/// <summary>What the generator cannot see in the webhook endpoint types: the event types, the secret's form, what null means.</summary>
public sealed class WebhookSchemas : IOpenApiSchemaTransformer
{
    /// <summary><c>whsec_</c> and the base64 of <see cref="WebhookSecret.KeyBytes"/> bytes.</summary>
    static readonly string SecretPattern = $"^{WebhookSecret.Prefix}[A-Za-z0-9+/]{{{(WebhookSecret.KeyBytes + 2) / 3 * 4 - 1}}}=$";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(WebhookEndpointResponse) || type == typeof(CreatedWebhookEndpointResponse))
            DescribeEndpoint(schema);
        if (type == typeof(CreatedWebhookEndpointResponse) || type == typeof(RotatedWebhookSecretResponse))
            schema.Properties!["secret"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Pattern = SecretPattern,
                Description = "The signing secret (Standard Webhooks: `whsec_` and base64 of the key). Shown in this answer only: keep it.",
            };
        if (type == typeof(RotatedWebhookSecretResponse))
            schema.Properties!["previous_secret_expires_at"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "date-time",
                Description = "Until then webhooks carry two signatures, by the new secret and by the one it replaced.",
            };
        if (type == typeof(WebhookEndpointPage))
            schema.Properties!["next_cursor"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Description = "Pass as `cursor` to get the next page; null on the last page.",
            };
        return Task.CompletedTask;
    }

    static void DescribeEndpoint(OpenApiSchema schema)
    {
        var properties = schema.Properties!;
        properties["event_types"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. WebhookEventTypes.All.Select(t => (JsonNode)t)] },
            MinItems = 1,
            Description = "The events it receives.",
        };
        properties["enabled"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Boolean,
            Description = "Whether webhooks are sent to it; `PATCH` with `enabled: true` after fixing it.",
        };
        properties["disabled_reason"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String | JsonSchemaType.Null,
            Description = "Why it was disabled (`410 Gone`, every attempt failing for days, or by you); null while enabled.",
        };
    }
}
