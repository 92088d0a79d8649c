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

    /// <summary>Longest wait between two looks at the table when nobody signals new rows (other processes, due schedules).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Ceiling of the back-off while the database or the transport is failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
