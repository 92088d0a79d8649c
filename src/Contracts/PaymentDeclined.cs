namespace Payments.Contracts;

/// <summary>The gateway declined the charge for good (insufficient funds, card blocked, ...).</summary>
public record PaymentDeclined(Guid PaymentId, string Reason, int Attempt);
