namespace Payments.Persistence.Refunds;

/// <summary>
/// Money given back from a successful payment, as clients see it. Its status only moves from PENDING to a terminal state;
/// while PENDING its amount is held in the payment's <see cref="Payments.Payment.RefundReserved"/>.
/// </summary>
public class Refund
{
    public Guid Id { get; set; }
    public Guid PaymentId { get; set; }
    public Guid UserId { get; set; }
    public long Amount { get; set; }
    public string Currency { get; set; } = null!;
    public string? Reason { get; set; }
    public string Status { get; set; } = null!;
    public string? FailureReason { get; set; }
    public string? GatewayRefundId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
