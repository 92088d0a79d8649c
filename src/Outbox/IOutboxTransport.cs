namespace Payments.Outbox;

/// <summary>
/// Where the delivery service hands committed outbox rows: MassTransit's own transport (in-memory, all-in-one)
/// or the SQS/SNS bridge (distributed). Implementations keep each row's MessageId and envelope unchanged.
/// </summary>
public interface IOutboxTransport
{
    /// <summary>
    /// Sends a batch and returns the rows the transport accepted. A row that failed is not returned, is logged,
    /// and stays in the outbox for the next batch; one failure never holds back the others.
    /// </summary>
    Task<IReadOnlyCollection<OutboxMessage>> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken);
}
