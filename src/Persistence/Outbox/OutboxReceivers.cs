using MassTransit;

namespace Payments.Persistence.Outbox;

/// <summary>
/// Which consumers and sagas of this process's bus take each message type through the Postgres inbox, learnt as their
/// endpoints are configured. With a transport that keeps nothing over a crash, a row stays until that many inbox rows
/// say its message was consumed; a message nobody here consumes is deleted once handed over, as there is nobody to wait for.
/// It assumes what <c>ProcessingEndpoints</c> ensures: each consumer type on one endpoint, messages consumed by their own type.
/// </summary>
public sealed class OutboxReceivers : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    readonly Lock _gate = new();
    readonly Dictionary<string, HashSet<Type>> _consumersByUrn = new(StringComparer.Ordinal);

    /// <summary>How many consumers take a row's message; <paramref name="messageTypes"/> is its stored type list (urns, ';'-separated).</summary>
    public int Count(string messageTypes)
    {
        var consumers = new HashSet<Type>();
        lock (_gate)
            foreach (var urn in messageTypes.Split(';', StringSplitOptions.RemoveEmptyEntries))
                if (_consumersByUrn.TryGetValue(urn, out var found))
                    consumers.UnionWith(found);
        return consumers.Count;
    }

    void Add(Type consumer, Type message)
    {
        var urn = MessageUrn.ForTypeString(message);
        lock (_gate)
        {
            if (!_consumersByUrn.TryGetValue(urn, out var consumers))
                _consumersByUrn[urn] = consumers = [];
            consumers.Add(consumer);
        }
    }

    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class =>
        Add(typeof(TConsumer), typeof(TMessage));

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class =>
        Add(typeof(TSaga), typeof(TMessage));
}
