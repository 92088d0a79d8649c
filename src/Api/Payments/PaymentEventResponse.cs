using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary>
/// One step of a payment's history as clients see it (JSON in snake_case; docs/payment-history.md). Every field is always
/// present: <c>attempt</c>, <c>detail</c> and <c>due_at</c> are null where the step has none.
/// </summary>
public record PaymentEventResponse(
    long Id,
    string Type,
    DateTimeOffset OccurredAt,
    int? Attempt,
    string? Detail,
    DateTimeOffset? DueAt)
{
    public static PaymentEventResponse From(PaymentEvent e) => new(e.Id, e.Type, e.OccurredAt, e.Attempt, e.Detail, e.DueAt);
}

public record PaymentEventPage(IReadOnlyList<PaymentEventResponse> Items, string? NextCursor);
