using MassTransit;

namespace Payments.Processing.Analytics;

public sealed class AnalyticsConsumerDefinition : ConsumerDefinition<AnalyticsConsumer>
{
    /// <summary>The analytics queue, subscribed to the outcome topics.</summary>
    public const string QueueName = "analytics";

    public AnalyticsConsumerDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = 16;
    }
}
