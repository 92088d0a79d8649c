namespace Payments.Contracts;

/// <summary>A client created a payment; it is stored as PENDING and waits to be charged.</summary>
/// <param name="PaymentId">The new payment.</param>
/// <param name="UserId">The payment's owner.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case (e.g. <c>USD</c>).</param>
/// <param name="Description">The client's description, if it gave one.</param>
/// <param name="RequestedAt">When the payment was created.</param>
public record PaymentRequested(
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string? Description,
    DateTimeOffset RequestedAt);
