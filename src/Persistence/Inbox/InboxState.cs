namespace Payments.Persistence.Inbox;

/// <summary>One received message per consumer: the row that makes redelivered messages no-ops.</summary>
public class InboxState
{
    public Guid MessageId { get; set; }
    public Guid ConsumerId { get; set; }
    public DateTime Received { get; set; }
    public int ReceiveCount { get; set; }
    public DateTime? Consumed { get; set; }
    public DateTime? Delivered { get; set; }
    public long? LastSequenceNumber { get; set; }
}
