using System.ComponentModel.DataAnnotations;

namespace Payments.Aws.Http;

/// <summary>
/// Timeouts, retries and the circuit breaker of the hand-written AWS clients (SNS, EventBridge, Secrets Manager).
/// One breaker per client: SNS failing does not stop EventBridge.
/// </summary>
public sealed class AwsHttpOptions : IValidatableObject
{
    public const string Section = "Aws:Http";

    /// <summary>The whole call, every attempt and the waits between them included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = Section + ":TotalTimeout must be between 1 s and 10 min.")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt; an attempt that takes longer is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = Section + ":AttemptTimeout must be between 100 ms and 5 min.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after the first attempt (throttling, 429, 500/502/503/504, network errors, attempt timeouts).</summary>
    [Range(1, 10, ErrorMessage = Section + ":MaxRetryAttempts must be between 1 and 10.")]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first retry's median wait; each next one doubles it, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = Section + ":RetryBaseDelay must be between 1 ms and 1 min.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts, a server's <c>Retry-After</c> included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00", ErrorMessage = Section + ":RetryMaxDelay must be between 1 ms and 5 min.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The share of failed attempts within <see cref="BreakerSamplingDuration"/> that opens the breaker.</summary>
    [Range(0.01, 1.0, ErrorMessage = Section + ":BreakerFailureRatio must be between 0.01 and 1.")]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts within <see cref="BreakerSamplingDuration"/> before the breaker may open at all.</summary>
    [Range(2, 10_000, ErrorMessage = Section + ":BreakerMinimumThroughput must be between 2 and 10000.")]
    public int BreakerMinimumThroughput { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00", ErrorMessage = Section + ":BreakerSamplingDuration must be between 500 ms and 10 min.")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker fails every call at once before it lets one through to test the service.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00", ErrorMessage = Section + ":BreakerBreakDuration must be between 500 ms and 10 min.")]
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AttemptTimeout > TotalTimeout)
            yield return new ValidationResult($"{Section}:AttemptTimeout must not exceed {Section}:TotalTimeout.",
                [nameof(AttemptTimeout), nameof(TotalTimeout)]);
        if (RetryBaseDelay > RetryMaxDelay)
            yield return new ValidationResult($"{Section}:RetryBaseDelay must not exceed {Section}:RetryMaxDelay.",
                [nameof(RetryBaseDelay), nameof(RetryMaxDelay)]);
    }
}
