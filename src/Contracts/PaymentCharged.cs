namespace Payments.Contracts;

/// <summary>The gateway approved the charge.</summary>
/// <param name="PaymentId">The payment charged.</param>
/// <param name="ChargeId">The gateway's id of the charge.</param>
/// <param name="Attempt">The attempt that succeeded, as in <see cref="ChargePayment.Attempt"/>.</param>
/// <param name="ChargedAt">When the gateway charged.</param>
public record PaymentCharged(Guid PaymentId, string ChargeId, int Attempt, DateTimeOffset ChargedAt);
