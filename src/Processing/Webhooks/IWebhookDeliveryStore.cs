namespace Payments.Processing.Webhooks;

/// <summary>A delivery claimed for one attempt, with what the attempt needs from its endpoint.</summary>
public sealed record ClaimedDelivery(Guid Id, Guid EndpointId, Guid EventId, string EventType, string Payload, int Attempts, string Url,
    WebhookSecrets Secrets);

/// <summary>
/// The deliveries' durable schedule, as the sender reads and writes it. Each call is its own transaction. A claim leases
/// the deliveries it returns until the given time: nobody else claims them meanwhile, and if the claimer dies they fall
/// due again when the lease runs out.
/// </summary>
public interface IWebhookDeliveryStore
{
    /// <summary>
    /// Leases up to <paramref name="limit"/> due pending deliveries of enabled endpoints, oldest due first, leaving every
    /// endpoint at most <paramref name="maxPerEndpoint"/> live leases (those of other processes included).
    /// </summary>
    Task<IReadOnlyList<ClaimedDelivery>> Claim(DateTimeOffset now, DateTimeOffset leaseUntil, int maxPerEndpoint, int limit,
        CancellationToken cancellationToken);

    /// <summary>A 2xx: the delivery succeeded, and the endpoint is no longer failing.</summary>
    Task RecordSuccess(ClaimedDelivery delivery, int statusCode, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// A failed attempt: counted, next due at <paramref name="nextAttemptAt"/> (failed for good when null). The endpoint is
    /// failing from its first failure on, and is disabled with <paramref name="disableReason"/> when given, or when it has
    /// failed since <paramref name="disableIfFailingSince"/> or earlier. Returns the reason when this call disabled it.
    /// </summary>
    Task<string?> RecordFailure(ClaimedDelivery delivery, WebhookAttempt attempt, DateTimeOffset? nextAttemptAt, DateTimeOffset now,
        string? disableReason, DateTimeOffset disableIfFailingSince, CancellationToken cancellationToken);

    /// <summary>Pending deliveries (due or scheduled) of enabled endpoints.</summary>
    Task<long> CountPending(CancellationToken cancellationToken);
}
