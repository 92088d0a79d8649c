namespace Payments.Contracts;

/// <summary>
/// Command to the gateway worker. <see cref="IdempotencyKey"/> is derived from the payment id, so every
/// attempt for one payment reaches the gateway with the same key and can charge at most once.
/// </summary>
/// <param name="PaymentId">The payment to charge.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case (e.g. <c>USD</c>).</param>
/// <param name="IdempotencyKey">The gateway's idempotency key: <see cref="IdempotencyKeyFor(Guid)"/> of the payment.</param>
/// <param name="Attempt">1 for the first attempt, counting up with each retry.</param>
public record ChargePayment(
    Guid PaymentId,
    long Amount,
    string Currency,
    string IdempotencyKey,
    int Attempt)
{
    /// <summary>The one idempotency key every charge attempt and reconciliation of a payment uses.</summary>
    public static string IdempotencyKeyFor(Guid paymentId) => $"payment-{paymentId:N}";
}
