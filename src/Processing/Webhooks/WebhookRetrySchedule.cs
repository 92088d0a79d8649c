namespace Payments.Processing.Webhooks;

/// <summary>
/// When a failed delivery is tried again: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failed
/// attempt (Svix's schedule, about 28 h in all); after the eighth failed attempt the delivery is failed. A receiver's
/// <c>Retry-After</c> (429, 503) moves the next attempt later, never earlier, and at most <see cref="MaxRetryAfter"/> ahead.
/// </summary>
public static class WebhookRetrySchedule
{
    public static IReadOnlyList<TimeSpan> Delays { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static int MaxAttempts => Delays.Count + 1;

    /// <summary>A receiver cannot park a delivery for longer than the schedule's longest wait.</summary>
    public static TimeSpan MaxRetryAfter => Delays[^1];

    /// <summary>When to try again after <paramref name="failedAttempts"/> failed attempts, or null when the schedule is spent.</summary>
    public static DateTimeOffset? NextAttempt(int failedAttempts, DateTimeOffset now, TimeSpan? retryAfter)
    {
        if (failedAttempts >= MaxAttempts)
            return null;
        var wait = Delays[failedAttempts - 1];
        if (retryAfter is { } asked && asked > wait)
            wait = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        return now + wait;
    }
}
