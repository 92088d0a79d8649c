namespace Payments.Persistence.Webhooks;

/// <summary>
/// One event for one endpoint: at most one row per (endpoint, event), so a redelivered event plans nothing new. The
/// body is fixed when the row is written, so every attempt sends the same bytes under the same <c>webhook-id</c>
/// (<see cref="EventId"/>). The row is its own durable schedule: <see cref="NextAttemptAt"/> says when the next attempt
/// is due, and <see cref="LeaseUntil"/> marks an attempt in flight, so a crashed sender's delivery is tried again.
/// </summary>
public class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid EndpointId { get; set; }
    public Guid EventId { get; set; }
    public string EventType { get; set; } = null!;
    public string Payload { get; set; } = null!;

    /// <summary><see cref="WebhookDeliveryStatus"/>: pending until a 2xx (succeeded) or the schedule runs out (failed).</summary>
    public string Status { get; set; } = null!;
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastResponseCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}
