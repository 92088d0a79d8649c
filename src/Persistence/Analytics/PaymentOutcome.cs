namespace Payments.Persistence.Analytics;

/// <summary>
/// One finished payment as analytics counts it (<c>analytics_payment_outcomes</c>): the facts its day's figures are made of,
/// the seconds from creation to the terminal state included, which the percentiles need one by one.
/// </summary>
public class PaymentOutcome
{
    public Guid PaymentId { get; set; }
    public Guid UserId { get; set; }
    public string Currency { get; set; } = null!;

    /// <summary>The UTC day the payment reached its terminal state.</summary>
    public DateOnly Day { get; set; }

    /// <summary><c>SUCCESS</c> or <c>FAILED</c>.</summary>
    public string Status { get; set; } = null!;

    public long Amount { get; set; }
    public double Seconds { get; set; }
}
