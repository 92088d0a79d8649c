using MassTransit.Transports;

namespace Payments.Processing.Endpoints;

/// <summary>
/// One queue and the one consumer or saga behind it: how to build its MassTransit dispatcher, and every message it
/// consumes. That list drives the partitioner, the log-scope correlation, the topic subscriptions and the Terraform
/// names check, so they cannot disagree.
/// </summary>
public sealed record MessageEndpoint(string Queue, Func<IReceiveEndpointDispatcherFactory, IReceiveEndpointDispatcher> CreateDispatcher,
    IReadOnlyList<ConsumedMessage> Messages)
{
    /// <summary>The message types whose topics this endpoint's queue subscribes to.</summary>
    public IEnumerable<Type> SubscribedTypes => Messages.Where(m => m.Delivery == Delivery.Published).Select(m => m.Type);
}
