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
/// <see cref="PaymentsDbContext"/>, committed by whoever commits that context, and handed to the transport once that
/// commit succeeded (<see cref="OutboxCommitHook"/>).
/// </summary>
sealed class OutboxScopedBusContext(IBus bus, PaymentsDbContext db, IClientFactory clientFactory, IServiceProvider provider)
    : ScopedBusContext, OutboxSendContext
{
    ISendEndpointProvider? _sendEndpointProvider;
    IPublishEndpoint? _publishEndpoint;
    IScopedClientFactory? _scopedClientFactory;

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, bus);

    public IPublishEndpoint PublishEndpoint =>
        _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory, provider)), null);

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        db.AddOutboxMessage(OutboxMessage.From(context, SystemTextJsonMessageSerializer.Instance));
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => provider.GetService(serviceType);
}
