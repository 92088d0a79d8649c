namespace Payments.Contracts;

/// <summary>
/// Command to the gateway worker. <see cref="IdempotencyKey"/> is derived from the payment id, so every
/// attempt for one payment reaches the gateway with the same key and can charge at most once.
/// </summary>
public record ChargePayment(
    Guid PaymentId,
    long Amount,
    string Currency,
    string IdempotencyKey,
    int Attempt)
{
    public static string IdempotencyKeyFor(Guid paymentId) => $"payment-{paymentId:N}";
}
