namespace Payments.Contracts;

/// <summary>The gateway has no charge for the payment's idempotency key: no money moved.</summary>
public record ChargeNotFound(Guid PaymentId);
