namespace Payments.Contracts;

/// <summary>
/// Command to the gateway worker: find out what the gateway did with <see cref="IdempotencyKey"/>. Sent before a refund may
/// be failed after attempts whose outcome is unknown, so money given back is never reported as a failed refund.
/// </summary>
/// <param name="RefundId">The refund to reconcile.</param>
/// <param name="IdempotencyKey">The key its attempts used: <see cref="RefundCharge.IdempotencyKeyFor(Guid)"/>.</param>
public record ReconcileRefund(Guid RefundId, string IdempotencyKey);
