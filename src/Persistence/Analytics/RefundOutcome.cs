namespace Payments.Persistence.Analytics;

/// <summary>One finished refund as analytics counts it (<c>analytics_refund_outcomes</c>), on the UTC day it finished.</summary>
public class RefundOutcome
{
    public Guid RefundId { get; set; }
    public Guid PaymentId { get; set; }
    public Guid UserId { get; set; }
    public string Currency { get; set; } = null!;

    /// <summary>The UTC day the refund reached its terminal state.</summary>
    public DateOnly Day { get; set; }

    /// <summary><c>SUCCEEDED</c> or <c>FAILED</c>.</summary>
    public string Status { get; set; } = null!;

    public long Amount { get; set; }
}
