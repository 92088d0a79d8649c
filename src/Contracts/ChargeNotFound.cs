namespace Payments.Contracts;

/// <summary>The gateway has no charge for the payment's idempotency key: no money moved.</summary>
/// <param name="PaymentId">The payment the reconciliation was for.</param>
public record ChargeNotFound(Guid PaymentId);
