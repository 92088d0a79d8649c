namespace Payments.Contracts;

/// <summary>
/// A merchant asked to give back part or all of a successful payment; the refund is stored as PENDING and its amount is
/// already reserved against what the payment can still refund.
/// </summary>
/// <param name="RefundId">The new refund.</param>
/// <param name="PaymentId">The payment it gives money back from.</param>
/// <param name="UserId">The payment's owner.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case: always the payment's.</param>
/// <param name="Reason">The merchant's reason, if it gave one.</param>
/// <param name="RequestedAt">When the refund was created.</param>
public record RefundRequested(
    Guid RefundId,
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string? Reason,
    DateTimeOffset RequestedAt);
