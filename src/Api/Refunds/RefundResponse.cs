using Payments.Persistence.Refunds;

namespace Payments.Api.Refunds;

/// <summary>A refund as clients see it (JSON in snake_case), named as a payment's fields are.</summary>
public record RefundResponse(
    Guid Id,
    Guid PaymentId,
    long Amount,
    string Currency,
    string Status,
    string? Reason,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt)
{
    public static RefundResponse From(Refund r) =>
        new(r.Id, r.PaymentId, r.Amount, r.Currency, r.Status, r.Reason, r.FailureReason, r.CreatedAt, r.UpdatedAt, r.CompletedAt);
}

/// <summary>A payment's refunds, oldest first: all of them (a payment has few), so there is no cursor.</summary>
public record RefundList(IReadOnlyList<RefundResponse> Items);
