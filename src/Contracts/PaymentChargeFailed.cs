namespace Payments.Contracts;

/// <summary>
/// The charge attempt failed transiently and may be retried. <see cref="OutcomeUnknown"/> is true when the
/// request may have reached the gateway (a read timeout), so money may have moved despite the failure.
/// </summary>
public record PaymentChargeFailed(Guid PaymentId, string Reason, int Attempt, bool OutcomeUnknown);
