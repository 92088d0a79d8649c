using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Payments;
using Payments.Api.Webhooks;
using Payments.Persistence.Payments;
using Payments.Persistence.Webhooks;
using Payments.Processing.Webhooks;
using static Payments.Api.OpenApi.PaymentOperations;

namespace Payments.Api.OpenApi;

/// <summary>What the delivery operations take beyond their handlers' signatures: ids, page, the replay body, examples.</summary>
public static class WebhookDeliveryOperations
{
    public const string ReplayRequestSchema = "ReplayWebhookEventsRequest";

    static readonly DateTimeOffset Created = new(2026, 3, 2, 9, 14, 3, TimeSpan.Zero);

    static readonly WebhookDeliveryResponse Delivered = new(Guid.Parse("0197a61b-04d2-7c3e-9f10-2b3c4d5e6f70"),
        Guid.Parse("5b0f3c1e-9d2a-4e8b-a7c6-1f2e3d4c5b6a"), WebhookEventTypes.PaymentSucceeded, WebhookDeliveryStatus.Succeeded, 1, 204,
        Created, null, Created, null, Created);

    static readonly WebhookDeliveryResponse Retrying = new(Guid.Parse("0197a60e-7a91-7b55-8e21-3c4d5e6f7a81"),
        Guid.Parse("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"), WebhookEventTypes.PaymentFailed, WebhookDeliveryStatus.Pending, 3, 503,
        Created.AddMinutes(-6), Created.AddMinutes(24), null, "HTTP 503", Created.AddMinutes(-11));

    static readonly WebhookDeliveryPage Page = new([Delivered, Retrying],
        ListPayments.Cursor.Encode(new PaymentKey(Retrying.CreatedAt, Retrying.Id)));

    static readonly WebhookDeliveryResponse Rearmed = Retrying with { Attempts = 0, NextAttemptAt = Created };

    public static Task List(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        WebhookOperations.EndpointId(operation);
        Page(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(Page, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Retry(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        WebhookOperations.EndpointId(operation);
        var id = Parameter(operation, "delivery_id");
        id.Description = "The delivery's id (`id` in the delivery log).";
        id.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
        id.Example = Retrying.Id.ToString();
        Example(operation, StatusCodes.Status202Accepted, PaymentExamples.Json(Rearmed, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Replay(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        WebhookOperations.EndpointId(operation);
        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ReplayRequestSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["since"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Format = "date-time",
                    Description = "Every outcome completed at or after this time (RFC 3339 with its offset, not in the future) is sent again.",
                },
            },
            Required = new HashSet<string> { "since" },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchemaReference(ReplayRequestSchema, document),
                    Example = new JsonObject { ["since"] = "2026-03-01T22:00:00Z" },
                },
            },
        };
        Example(operation, StatusCodes.Status202Accepted, PaymentExamples.Json(new WebhookReplayResponse(42), Json(context)));
        return Task.CompletedTask;
    }
}
