using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using MassTransit.Transports;
using Payments.Outbox;

namespace Payments.Persistence.Outbox;

/// <summary>
/// The bus as seen from a request scope: every Send and Publish becomes an outbox row in the scope's
/// <see cref="PaymentsDbContext"/>, committed by whoever commits that context. Nothing reaches the transport
/// from the request path.
/// </summary>
sealed class OutboxScopedBusContext(IBus bus, PaymentsDbContext db, OutboxSignal signal, IClientFactory clientFactory, IServiceProvider provider)
    : ScopedBusContext, OutboxSendContext, IDisposable
{
    ISendEndpointProvider? _sendEndpointProvider;
    IPublishEndpoint? _publishEndpoint;
    IScopedClientFactory? _scopedClientFactory;
    bool _addedMessages;

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, bus);

    public IPublishEndpoint PublishEndpoint =>
        _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory, provider)), null);

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        var message = OutboxMessage.From(context, SystemTextJsonMessageSerializer.Instance);
        lock (db)
            db.OutboxMessages.Add(message);
        _addedMessages = true;
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => provider.GetService(serviceType);

    // The scope ends after the request's transaction: wake delivery now rather than at the next poll.
    // A wake-up for a rolled-back transaction finds nothing and costs one query.
    public void Dispose()
    {
        if (_addedMessages)
            signal.Raise();
    }
}
