using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;

namespace Payments.Outbox;

/// <summary>Re-sends stored messages through the bus's own transport, as they were first sent.</summary>
public sealed class BusOutboxTransport(IBus bus, ILogger<BusOutboxTransport> logger) : IOutboxTransport
{
    public async Task<IReadOnlyCollection<OutboxMessage>> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var sent = new List<OutboxMessage>(batch.Count);
        await Task.WhenAll(batch.Select(async message =>
        {
            try
            {
                var destination = message.DestinationAddress!;
                var endpoint = await bus.GetSendEndpoint(destination);
                await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
                lock (sent)
                    sent.Add(message);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Outbox message {MessageId} ({MessageType}) not sent; it stays for the next batch",
                    message.MessageId, message.MessageType);
            }
        }));
        return sent;
    }
}
