namespace Payments.Contracts;

/// <summary>
/// Outcome event: the refund reached FAILED, no money moved, and its amount is refundable again. <see cref="EventId"/> lets
/// consumers de-duplicate: delivery is at least once, and a redelivery carries the same id.
/// </summary>
/// <param name="EventId">This outcome's id: the same on every delivery of it, so consumers de-duplicate by it.</param>
/// <param name="RefundId">The refund.</param>
/// <param name="PaymentId">The payment it was to refund.</param>
/// <param name="UserId">The payment's owner.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case (e.g. <c>USD</c>).</param>
/// <param name="Reason">Why it failed, for people (e.g. <c>declined: charge already disputed</c>; not a stable code).</param>
/// <param name="CompletedAt">When the refund reached FAILED.</param>
public record RefundFailed(
    Guid EventId,
    Guid RefundId,
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string Reason,
    DateTimeOffset CompletedAt);
