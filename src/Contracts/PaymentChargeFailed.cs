namespace Payments.Contracts;

/// <summary>
/// The charge attempt failed transiently and may be retried. <see cref="OutcomeUnknown"/> is true when the
/// request may have reached the gateway (a read timeout), so money may have moved despite the failure.
/// </summary>
/// <param name="PaymentId">The payment charged.</param>
/// <param name="Reason">What went wrong, for people (not a stable code).</param>
/// <param name="Attempt">The attempt that failed, as in <see cref="ChargePayment.Attempt"/>.</param>
/// <param name="OutcomeUnknown">True when the gateway may have charged despite the failure.</param>
public record PaymentChargeFailed(Guid PaymentId, string Reason, int Attempt, bool OutcomeUnknown);
