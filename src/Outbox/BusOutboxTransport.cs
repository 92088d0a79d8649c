using MassTransit;
using MassTransit.Serialization;

namespace Payments.Outbox;

/// <summary>
/// Re-sends stored messages through the bus's own transport, as they were first sent. The bus here is always the
/// in-memory one (a broker is reached through an adapter of its own), so what it accepted is lost with the process.
/// </summary>
public sealed class BusOutboxTransport(IBus bus) : IOutboxTransport
{
    public bool Durable => false;

    public async Task<OutboxSendResult> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var result = new OutboxSendResult();
        await Task.WhenAll(batch.Select(async message =>
        {
            try
            {
                var destination = message.DestinationAddress!;
                var endpoint = await bus.GetSendEndpoint(destination);
                await endpoint.Send(new SerializedMessageBody(), new OutboxRowSendPipe(message, destination), cancellationToken);
                result.Accepted(message);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                result.Refused(message, exception);
            }
        }));
        return result;
    }
}
