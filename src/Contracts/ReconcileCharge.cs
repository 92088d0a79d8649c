namespace Payments.Contracts;

/// <summary>
/// Command to the gateway worker: find out what the gateway did with <see cref="IdempotencyKey"/>. Sent before
/// a payment may be failed after attempts whose outcome is unknown, so a charged payment is never reported as FAILED.
/// </summary>
public record ReconcileCharge(Guid PaymentId, string IdempotencyKey);
