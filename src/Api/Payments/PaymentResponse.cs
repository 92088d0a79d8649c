using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary>A payment as clients see it (JSON in snake_case).</summary>
public record PaymentResponse(
    Guid Id,
    Guid UserId,
    long Amount,
    string Currency,
    string Status,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    long AmountRefunded)
{
    public static PaymentResponse From(Payment p) =>
        new(p.Id, p.UserId, p.Amount, p.Currency, p.Status, p.Description, p.Metadata, p.FailureReason, p.CreatedAt, p.UpdatedAt,
            p.CompletedAt, p.AmountRefunded);
}

public record PaymentPage(IReadOnlyList<PaymentResponse> Items, string? NextCursor);
