using MassTransit.Transports;

namespace Payments.Aws.Sqs;

/// <summary>
/// One queue this process consumes: its name, how to build its MassTransit dispatcher, and the message types
/// it handles (its queue is subscribed to their topics).
/// </summary>
public sealed record SqsEndpoint(string Queue, Func<IReceiveEndpointDispatcherFactory, IReceiveEndpointDispatcher> CreateDispatcher,
    IReadOnlyList<Type> MessageTypes);
