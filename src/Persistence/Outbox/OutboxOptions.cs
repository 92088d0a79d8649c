using System.ComponentModel.DataAnnotations;

namespace Payments.Persistence.Outbox;

public class OutboxOptions
{
    public const string Section = "Payments:Outbox";

    /// <summary>Whether this process delivers outbox rows (another process sharing the database may do it instead).</summary>
    public bool DeliveryEnabled { get; set; } = true;

    /// <summary>Rows locked and sent per transaction.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How old a row must be before the sweep sends it. A committed row is sent at once from memory by
    /// <see cref="OutboxDispatcher"/>; the sweep is for the rows a crash, a failed send or a full hand-off left behind,
    /// and the grace keeps it from sending a row the dispatcher is sending right now (which would only cost a duplicate
    /// the inbox drops). Scheduled rows are the sweep's whatever their age, once due.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With a transport that loses what it holds when the process stops (in-memory, all-in-one): how many messages may be
    /// handed to the consumers and not yet consumed. The rest of the backlog waits in Postgres, so memory stays bounded
    /// and a stopping process has little to finish and nothing to lose.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 256;

    /// <summary>Longest wait between two looks at the table when nobody signals new rows (other processes, due schedules).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Ceiling of the back-off while the database or the transport is failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Failed tries after which a row is parked: no longer claimed, listed by <c>outbox parked</c>, re-queued by
    /// <c>outbox retry</c>. Tries are counted per batch. While a row fails among rows that go out, the next batch
    /// follows at once, so a poison row is parked within a few batches. While the transport accepts nothing at all
    /// (it is down), the whole loop backs off (0.1 s doubling up to <see cref="MaxBackoff"/>), so the defaults
    /// try the first batch for the 10th time only about 51 s into an outage (<see cref="OutageBeforeParking"/>).
    /// </summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 10;

    static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>Wait after the given number of failed tries in a row: 0.1 s doubling, capped at <see cref="MaxBackoff"/>.</summary>
    public TimeSpan Backoff(int failures)
    {
        var millis = FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        return TimeSpan.FromMilliseconds(Math.Min(millis, MaxBackoff.TotalMilliseconds));
    }

    /// <summary>
    /// How long the transport can accept nothing before the rows of the first batch it refuses reach
    /// <see cref="MaxAttempts"/> and are parked: the back-offs between the first and the last try (batch time left out).
    /// </summary>
    public TimeSpan OutageBeforeParking() =>
        Enumerable.Range(1, MaxAttempts - 1).Aggregate(TimeSpan.Zero, (total, failures) => total + Backoff(failures));
}
