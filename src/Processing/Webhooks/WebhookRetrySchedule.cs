namespace Payments.Processing.Webhooks;

/// <summary>
/// When a failed delivery is tried again: after each failed attempt, the next of <see cref="Delays"/>; once they are spent
/// the delivery is failed. <see cref="Default"/> is Svix's schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
/// and 10 h (about 28 h in all). A receiver's <c>Retry-After</c> (429, 503) moves the next attempt later, never earlier, and
/// at most <see cref="MaxRetryAfter"/> ahead.
/// </summary>
public sealed class WebhookRetrySchedule(IReadOnlyList<TimeSpan> delays)
{
    public static WebhookRetrySchedule Default { get; } = new(
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ]);

    public IReadOnlyList<TimeSpan> Delays { get; } = delays;

    public int MaxAttempts => Delays.Count + 1;

    /// <summary>A receiver cannot park a delivery for longer than the schedule's longest wait.</summary>
    public TimeSpan MaxRetryAfter => Delays.Max();

    /// <summary>When to try again after <paramref name="failedAttempts"/> failed attempts, or null when the schedule is spent.</summary>
    public DateTimeOffset? NextAttempt(int failedAttempts, DateTimeOffset now, TimeSpan? retryAfter)
    {
        if (failedAttempts >= MaxAttempts)
            return null;
        var wait = Delays[failedAttempts - 1];
        if (retryAfter is { } asked && asked > wait)
            wait = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        return now + wait;
    }
}
