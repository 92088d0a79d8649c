namespace Payments.Contracts;

/// <summary>
/// Command to the gateway worker: give back part of a payment's charge. <see cref="IdempotencyKey"/> is derived from the
/// refund id, so every attempt for one refund reaches the gateway with the same key and can refund at most once.
/// </summary>
/// <param name="RefundId">The refund to execute.</param>
/// <param name="PaymentId">The payment whose charge is refunded.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case: the payment's.</param>
/// <param name="IdempotencyKey">The gateway's idempotency key: <see cref="IdempotencyKeyFor(Guid)"/> of the refund.</param>
/// <param name="Attempt">1 for the first attempt, counting up with each retry.</param>
public record RefundCharge(
    Guid RefundId,
    Guid PaymentId,
    long Amount,
    string Currency,
    string IdempotencyKey,
    int Attempt)
{
    /// <summary>The one idempotency key every attempt and reconciliation of a refund uses.</summary>
    public static string IdempotencyKeyFor(Guid refundId) => $"refund-{refundId:N}";
}
