namespace Payments.Contracts;

/// <summary>The gateway refused the refund for good (charge not refundable, more than remains of it, ...).</summary>
/// <param name="RefundId">The refund declined.</param>
/// <param name="Reason">The gateway's reason, for people (not a stable code).</param>
/// <param name="Attempt">The attempt declined, as in <see cref="RefundCharge.Attempt"/>; 0 for a reconciliation's answer.</param>
public record RefundDeclined(Guid RefundId, string Reason, int Attempt);
