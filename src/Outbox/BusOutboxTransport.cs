using MassTransit;
using MassTransit.Serialization;

namespace Payments.Outbox;

/// <summary>Re-sends stored messages through the bus's own transport, as they were first sent.</summary>
public sealed class BusOutboxTransport(IBus bus) : IOutboxTransport
{
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
