namespace Payments.Contracts;

/// <summary>The gateway could not be reached or answered with a transient error; the charge may be retried.</summary>
public record PaymentChargeFailed(Guid PaymentId, string Reason, int Attempt);
