using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>A webhook endpoint as its owner sees it (JSON in snake_case); never its secret.</summary>
public record WebhookEndpointResponse(
    Guid Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static WebhookEndpointResponse From(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.EventTypes, e.Description, e.Enabled, e.DisabledReason, e.CreatedAt, e.UpdatedAt);
}

/// <summary>The answer to <c>POST /webhook-endpoints</c>: the endpoint and its signing secret, the one time it is shown.</summary>
public record CreatedWebhookEndpointResponse(
    Guid Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Secret)
{
    public static CreatedWebhookEndpointResponse From(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.EventTypes, e.Description, e.Enabled, e.DisabledReason, e.CreatedAt, e.UpdatedAt, e.Secret);
}

/// <summary>The answer to a rotation: the new secret, and until when the previous one still signs beside it.</summary>
public record RotatedWebhookSecretResponse(string Secret, DateTimeOffset PreviousSecretExpiresAt);

public record WebhookEndpointPage(IReadOnlyList<WebhookEndpointResponse> Items, string? NextCursor);
