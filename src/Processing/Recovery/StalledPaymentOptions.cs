using System.ComponentModel.DataAnnotations;

namespace Payments.Processing.Recovery;

public class StalledPaymentOptions
{
    public const string Section = "Payments:StalledPayments";

    /// <summary>A PENDING payment with no saga after this long lost its PaymentRequested on the way.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
