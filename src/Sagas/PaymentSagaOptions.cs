using System.ComponentModel.DataAnnotations;

namespace Payments.Sagas;

public class PaymentSagaOptions
{
    public const string Section = "Payments:Saga";

    /// <summary>How long one charge attempt may go unanswered before it is sent again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ChargeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Charge attempts (first one included) before the payment fails.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 6;

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Exponential back-off: base, 2×base, 4×base, … capped at <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryDelayAfter(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var delay = TimeSpan.FromMilliseconds(RetryBaseDelay.TotalMilliseconds * factor);
        return delay < RetryMaxDelay ? delay : RetryMaxDelay;
    }
}
