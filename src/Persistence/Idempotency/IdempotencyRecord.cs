namespace Payments.Persistence.Idempotency;

/// <summary>A claimed (user, Idempotency-Key) pair and the response it produced, replayed on a retry.</summary>
public class IdempotencyRecord
{
    public Guid UserId { get; set; }
    public string Key { get; set; } = null!;
    public byte[] RequestHash { get; set; } = null!;
    public int ResponseStatus { get; set; }
    public string ResponseBody { get; set; } = null!;
    public string? ResponseLocation { get; set; }
    /// <summary>What the request created: a payment's id, or a webhook endpoint's (the column predates endpoints).</summary>
    public Guid PaymentId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
