using MassTransit;

namespace Payments.Processing.Outcomes;

public sealed class OutcomeForwarderDefinition : ConsumerDefinition<OutcomeForwarder>
{
    /// <summary>The forwarder's queue, subscribed to the outcome topics. Only exists while forwarding is configured.</summary>
    public const string QueueName = "forward-outcomes";

    public OutcomeForwarderDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<OutcomeForwarder> consumerConfigurator, IRegistrationContext context)
    {
        // The bus-wide retry only handles database conflicts. A throttled or briefly failing event bus, or an entry it
        // rejected, is worth a few quick tries here; past those the message faults and the transport redelivers it
        // (SQS: after the visibility timeout, then to the dead-letter queue).
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<Exception>(e => e is ITransientFailure { IsTransient: true });
            r.Intervals(100, 500, 1000);
        });
    }
}
