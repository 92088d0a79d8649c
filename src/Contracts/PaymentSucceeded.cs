namespace Payments.Contracts;

/// <summary>
/// Outcome event: the payment reached SUCCESS. <see cref="EventId"/> lets consumers de-duplicate: delivery is at least
/// once, and a redelivery carries the same id.
/// </summary>
/// <param name="EventId">This outcome's id: the same on every delivery of it, so consumers de-duplicate by it.</param>
/// <param name="PaymentId">The payment.</param>
/// <param name="UserId">The payment's owner.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case (e.g. <c>USD</c>).</param>
/// <param name="ChargeId">The gateway's id of the charge.</param>
/// <param name="CompletedAt">When the payment reached SUCCESS.</param>
public record PaymentSucceeded(
    Guid EventId,
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string ChargeId,
    DateTimeOffset CompletedAt);
