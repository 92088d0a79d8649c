namespace Payments.Persistence.Payments;

/// <summary>
/// One row of a payment's history (<c>payment_events</c>). Its id grows with each row of the payment, so (payment_id, id)
/// orders the history oldest first and is the keyset of its pages.
/// </summary>
public class PaymentEvent
{
    public Guid PaymentId { get; set; }
    public long Id { get; set; }
    public string Type { get; set; } = null!;
    public DateTimeOffset OccurredAt { get; set; }
    public int? Attempt { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset? DueAt { get; set; }
}
