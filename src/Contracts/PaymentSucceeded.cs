namespace Payments.Contracts;

/// <summary>Outcome event: the payment reached SUCCESS. <see cref="EventId"/> lets consumers de-duplicate.</summary>
public record PaymentSucceeded(
    Guid EventId,
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string ChargeId,
    DateTimeOffset CompletedAt);
