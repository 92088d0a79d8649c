using System.ComponentModel.DataAnnotations;

namespace Payments.Processing.Webhooks;

/// <summary>How the sender delivers webhooks: its concurrency, per-attempt timeout and polling.</summary>
public class WebhookDeliveryOptions : IValidatableObject
{
    public const string Section = "Webhooks:Delivery";

    /// <summary>
    /// The background sender loop. Off where something else drives <see cref="WebhookDispatcher.DeliverDue"/>: the Lambda
    /// worker's invocations, and tests that move the schedule's clock by hand.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>One attempt's deadline, connect to last byte (Standard Webhooks: 15–30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Attempts in flight to one endpoint, across every process (counted from the leases in the database): a slow or
    /// dead endpoint holds at most this many of the sender's slots.
    /// </summary>
    [Range(1, 100)]
    public int MaxPerEndpoint { get; set; } = 4;

    /// <summary>Attempts in flight in this process, all endpoints together.</summary>
    [Range(1, 1000)]
    public int MaxConcurrent { get; set; } = 64;

    /// <summary>How often due deliveries are looked for when nothing wakes the sender (a retry falling due, another process's work).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Beyond <see cref="Timeout"/>, how long a claimed delivery stays leased: time to record the outcome. A sender that
    /// dies mid-attempt leaves the lease to expire, and the delivery is tried again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan Lease => Timeout + LeaseMargin;

    /// <summary>
    /// The waits after the first, second, … failed attempt (<c>Webhooks:Delivery:RetryDelays:0</c>, <c>:1</c>, …); after the
    /// last the delivery is failed. Unset: <see cref="WebhookRetrySchedule.Default"/>.
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    public WebhookRetrySchedule RetrySchedule => RetryDelays is { Length: > 0 } delays ? new WebhookRetrySchedule(delays) : WebhookRetrySchedule.Default;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryDelays is not null && RetryDelays.Any(d => d <= TimeSpan.Zero || d > TimeSpan.FromDays(7)))
            yield return new ValidationResult("every retry delay must be more than zero and at most 7 days", [nameof(RetryDelays)]);
    }
}
