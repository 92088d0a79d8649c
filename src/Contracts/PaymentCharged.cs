namespace Payments.Contracts;

/// <summary>The gateway approved the charge.</summary>
public record PaymentCharged(Guid PaymentId, string ChargeId, int Attempt, DateTimeOffset ChargedAt);
