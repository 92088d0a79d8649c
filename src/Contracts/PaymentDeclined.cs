namespace Payments.Contracts;

/// <summary>The gateway declined the charge for good (insufficient funds, card blocked, ...).</summary>
/// <param name="PaymentId">The payment declined.</param>
/// <param name="Reason">The gateway's reason, for people (not a stable code).</param>
/// <param name="Attempt">The attempt declined, as in <see cref="ChargePayment.Attempt"/>.</param>
public record PaymentDeclined(Guid PaymentId, string Reason, int Attempt);
