namespace Payments.Contracts;

/// <summary>A client created a payment; it is stored as PENDING and waits to be charged.</summary>
public record PaymentRequested(
    Guid PaymentId,
    Guid UserId,
    long Amount,
    string Currency,
    string? Description,
    DateTimeOffset RequestedAt);
