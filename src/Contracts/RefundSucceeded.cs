namespace Payments.Contracts;

/// <summary>
/// Outcome event: the refund reached SUCCEEDED, the gateway gave the money back. <see cref="EventId"/> lets consumers
/// de-duplicate: delivery is at least once, and a redelivery carries the same id.
/// </summary>
/// <param name="EventId">This outcome's id: the same on every delivery of it, so consumers de-duplicate by it.</param>
/// <param name="RefundId">The refund.</param>
/// <param name="PaymentId">The payment it refunds.</param>
/// <param name="UserId">The payment's owner.</param>
/// <param name="Amount">In the currency's minor unit (cents for USD).</param>
/// <param name="Currency">ISO 4217 code, upper case (e.g. <c>USD</c>).</param>
/// <param name="GatewayRefundId">The gateway's id of the refund.</param>
/// <param name="CompletedAt">When the refund reached SUCCEEDED.</param>
public record RefundSucceeded(
    Guid EventId,
    Guid RefundId,
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string GatewayRefundId,
    DateTimeOffset CompletedAt);
