namespace Payments.Sagas;

/// <summary>
/// One step of a payment's history, as a transition declares it. <paramref name="Attempt"/> is the charge attempt the step
/// belongs to (none for a lookup's answer); <paramref name="DueAt"/> is when a scheduled retry falls due.
/// </summary>
public sealed record PaymentHistoryEntry(
    string Type,
    DateTimeOffset OccurredAt,
    int? Attempt = null,
    string? Detail = null,
    DateTimeOffset? DueAt = null);
