using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Payments.Persistence.Outbox;

/// <summary>Re-sends a stored message through the bus's own transport, as it was first sent.</summary>
public sealed class BusOutboxTransport(IBus bus) : IOutboxTransport
{
    public async Task Send(OutboxMessage message, CancellationToken cancellationToken)
    {
        var destination = message.DestinationAddress!;
        var endpoint = await bus.GetSendEndpoint(destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
    }
}
