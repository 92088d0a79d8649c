using System.ComponentModel.DataAnnotations;

namespace Payments.Persistence;

public class RetentionOptions
{
    public const string Section = "Payments:Retention";

    /// <summary>How long a client may retry with the same Idempotency-Key and get the original answer.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "90.00:00:00")]
    public TimeSpan IdempotencyKeys { get; set; } = TimeSpan.FromHours(25);

    /// <summary>How long a consumed MessageId is remembered to drop redeliveries.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "90.00:00:00")]
    public TimeSpan InboxMessages { get; set; } = TimeSpan.FromDays(2);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
