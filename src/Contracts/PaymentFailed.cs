namespace Payments.Contracts;

/// <summary>Outcome event: the payment reached FAILED. <see cref="EventId"/> lets consumers de-duplicate.</summary>
public record PaymentFailed(
    Guid EventId,
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string Reason,
    DateTimeOffset CompletedAt);
