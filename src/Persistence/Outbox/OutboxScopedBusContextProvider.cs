using MassTransit;
using MassTransit.DependencyInjection;

namespace Payments.Persistence.Outbox;

/// <summary>
/// Replaces MassTransit's scoped bus context: inside a consumer the consume context (and its inbox) is used
/// as usual; everywhere else publishing goes through the Postgres outbox.
/// </summary>
public sealed class OutboxScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public OutboxScopedBusContextProvider(IBus bus, PaymentsDbContext db, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> consumeContextProvider, IScopedConsumeContextProvider globalConsumeContextProvider,
        IServiceProvider provider)
    {
        if (consumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext(consumeContextProvider.Value.GetContext(), clientFactory.Value);
        else if (globalConsumeContextProvider.HasContext)
            Context = new ConsumeContextScopedBusContext(globalConsumeContextProvider.GetContext(), clientFactory.Value);
        else
            Context = new OutboxScopedBusContext(bus, db, clientFactory.Value, provider);
    }

    public ScopedBusContext Context { get; }
}
