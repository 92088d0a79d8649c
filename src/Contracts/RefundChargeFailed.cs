namespace Payments.Contracts;

/// <summary>
/// The refund attempt failed transiently and may be retried. <see cref="OutcomeUnknown"/> is true when the request may have
/// reached the gateway (a read timeout), so money may have been given back despite the failure.
/// </summary>
/// <param name="RefundId">The refund attempted.</param>
/// <param name="Reason">What went wrong, for people (not a stable code).</param>
/// <param name="Attempt">The attempt that failed, as in <see cref="RefundCharge.Attempt"/>.</param>
/// <param name="OutcomeUnknown">True when the gateway may have refunded despite the failure.</param>
public record RefundChargeFailed(Guid RefundId, string Reason, int Attempt, bool OutcomeUnknown);
