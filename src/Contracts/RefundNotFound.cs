namespace Payments.Contracts;

/// <summary>The gateway has no refund for the refund's idempotency key: no money was given back.</summary>
/// <param name="RefundId">The refund the reconciliation was for.</param>
public record RefundNotFound(Guid RefundId);
