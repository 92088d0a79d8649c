namespace Payments.Persistence.Outbox;

/// <summary>
/// Where the delivery service hands committed outbox rows: MassTransit's own transport (in-memory, all-in-one)
/// or the SQS/SNS bridge (distributed). Implementations keep the row's MessageId and envelope unchanged.
/// </summary>
public interface IOutboxTransport
{
    Task Send(OutboxMessage message, CancellationToken cancellationToken);
}
