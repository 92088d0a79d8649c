namespace Payments.Persistence.Webhooks;

/// <summary>
/// A merchant's URL that receives signed webhooks for the event types it subscribed to. During a secret rotation the
/// previous secret signs beside the current one until <see cref="PreviousSecretExpiresAt"/>.
/// </summary>
public class WebhookEndpoint
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Url { get; set; } = null!;
    public string? Description { get; set; }
    public string[] EventTypes { get; set; } = [];
    public bool Enabled { get; set; }

    /// <summary>Why delivery stopped (410 Gone, or every attempt failing for the disable window); shown to the owner.</summary>
    public string? DisabledReason { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary><c>whsec_</c> + base64 of the key.</summary>
    public string Secret { get; set; } = null!;
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>The first failed attempt since the last 2xx; null while the endpoint answers.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
