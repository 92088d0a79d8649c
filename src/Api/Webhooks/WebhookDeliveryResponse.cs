using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// One delivery of one event to one endpoint, as its owner sees it (JSON in snake_case): where it stands, what the last
/// attempt got and when the next is due. <c>event_id</c> is the <c>webhook-id</c> header the receiver saw.
/// </summary>
public record WebhookDeliveryResponse(
    Guid Id,
    Guid EventId,
    string EventType,
    string Status,
    int Attempts,
    int? LastResponseCode,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? LastError,
    DateTimeOffset CreatedAt)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) =>
        new(d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.LastResponseCode, d.LastAttemptAt, d.NextAttemptAt, d.DeliveredAt, d.LastError,
            d.CreatedAt);
}

public record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryResponse> Items, string? NextCursor);

/// <summary>The answer to a replay: how many deliveries it armed.</summary>
public record WebhookReplayResponse(int Deliveries);
