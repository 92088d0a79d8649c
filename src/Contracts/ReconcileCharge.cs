namespace Payments.Contracts;

/// <summary>
/// Command to the gateway worker: find out what the gateway did with <see cref="IdempotencyKey"/>. Sent before
/// a payment may be failed after attempts whose outcome is unknown, so a charged payment is never reported as FAILED.
/// </summary>
/// <param name="PaymentId">The payment to reconcile.</param>
/// <param name="IdempotencyKey">The key its charges used: <see cref="ChargePayment.IdempotencyKeyFor(Guid)"/>.</param>
public record ReconcileCharge(Guid PaymentId, string IdempotencyKey);
