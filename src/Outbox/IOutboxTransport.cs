namespace Payments.Outbox;

/// <summary>
/// Where the delivery service hands committed outbox rows: MassTransit's own transport (in-memory, all-in-one)
/// or the SQS/SNS bridge (distributed). Implementations keep each row's MessageId and envelope unchanged.
/// </summary>
public interface IOutboxTransport
{
    /// <summary>
    /// Whether a message the transport accepted outlives this process (a broker holds it). When it does, a row is deleted
    /// once sent. When it does not (MassTransit's in-memory transport), the row stays until every consumer of its message
    /// in this database has consumed it, and each consumer deletes it in its own inbox transaction.
    /// </summary>
    bool Durable { get; }

    /// <summary>
    /// Sends a batch and reports each row as sent or failed with the reason. A failed row stays in the outbox (the
    /// delivery service counts its attempts and parks it after too many); one failure never holds back the others.
    /// </summary>
    Task<OutboxSendResult> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken);
}

/// <summary>What a transport did with a batch. Rows are added from concurrent sends, so adding is thread-safe.</summary>
public sealed class OutboxSendResult
{
    readonly List<OutboxMessage> _sent = [];
    readonly List<OutboxSendFailure> _failed = [];

    public IReadOnlyCollection<OutboxMessage> Sent => _sent;
    public IReadOnlyCollection<OutboxSendFailure> Failed => _failed;

    public void Accepted(OutboxMessage message)
    {
        lock (_sent)
            _sent.Add(message);
    }

    public void Refused(OutboxMessage message, string reason, Exception? exception = null)
    {
        lock (_failed)
            _failed.Add(new OutboxSendFailure(message, reason, exception));
    }

    public void Refused(OutboxMessage message, Exception exception) => Refused(message, Describe(exception), exception);

    public static string Describe(Exception exception) => $"{exception.GetType().Name}: {exception.Message}";
}

/// <summary>A row the transport did not accept, and why (kept as the row's last error).</summary>
public sealed record OutboxSendFailure(OutboxMessage Message, string Reason, Exception? Exception = null);
