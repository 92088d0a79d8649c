namespace Payments.Persistence.Payments;

/// <summary>The payment as clients see it. Its status only moves from PENDING to a terminal state.</summary>
public class Payment
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public long Amount { get; set; }
    public string Currency { get; set; } = null!;
    public string? Description { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }
    public string Status { get; set; } = null!;
    public string? FailureReason { get; set; }
    public string? ChargeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>What succeeded refunds gave back: shown to clients as <c>amount_refunded</c>.</summary>
    public long AmountRefunded { get; set; }

    /// <summary>
    /// What pending and succeeded refunds hold: a refund is created only by raising it atomically, never past
    /// <see cref="Amount"/>, and a failed refund lowers it again. The database keeps AmountRefunded ≤ RefundReserved ≤ Amount.
    /// </summary>
    public long RefundReserved { get; set; }
}
