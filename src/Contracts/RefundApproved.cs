namespace Payments.Contracts;

/// <summary>The gateway gave the money back.</summary>
/// <param name="RefundId">The refund executed.</param>
/// <param name="GatewayRefundId">The gateway's id of the refund.</param>
/// <param name="Attempt">The attempt that succeeded, as in <see cref="RefundCharge.Attempt"/>; 0 for a reconciliation's answer.</param>
/// <param name="RefundedAt">When the gateway refunded.</param>
public record RefundApproved(Guid RefundId, string GatewayRefundId, int Attempt, DateTimeOffset RefundedAt);
