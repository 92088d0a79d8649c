using MassTransit;

namespace Payments.Processing.Webhooks;

public sealed class WebhookFanOutDefinition : ConsumerDefinition<WebhookFanOut>
{
    /// <summary>The fan-out's queue, subscribed to the outcome topics.</summary>
    public const string QueueName = "notifications";

    public WebhookFanOutDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = 16;
    }
}
