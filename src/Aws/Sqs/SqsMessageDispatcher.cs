using System.Collections.Concurrent;
using System.Text;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Payments.Aws.EventBridge;
using Payments.Processing.Endpoints;

namespace Payments.Aws.Sqs;

/// <summary>
/// Runs one SQS message through its endpoint's whole MassTransit pipeline (retry, inbox, consumer or saga).
/// Returns normally only when the message was handled; throws when it faulted, so the caller keeps it.
/// Shared by the long-poll receiver and the Lambda batch entry point. An endpoint that takes EventBridge events gets
/// them as MassTransit envelopes; an event it does not take is logged and acknowledged, since no redelivery could change
/// its type.
/// </summary>
public sealed partial class SqsMessageDispatcher(IReceiveEndpointDispatcherFactory factory, SqsTopology topology, ILogger<SqsMessageDispatcher> logger)
{
    const string DefaultContentType = "application/vnd.masstransit+json";
    readonly ConcurrentDictionary<string, (MessageEndpoint Endpoint, IReceiveEndpointDispatcher Dispatcher)> _dispatchers = new();

    public async Task Dispatch(string queue, string body, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        var (endpoint, dispatcher) = _dispatchers.GetOrAdd(queue, q =>
        {
            var e = topology.Endpoints.FirstOrDefault(e => e.Queue == q) ?? throw new InvalidOperationException($"No endpoint is hosted for queue {q}");
            return (e, e.CreateDispatcher(factory));
        });

        var headers = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in attributes)
            headers[key] = value;
        headers.TryAdd(SqsOutboxTransport.ContentTypeAttribute, DefaultContentType);

        switch (BusEventInput.Read(body, endpoint))
        {
            case BusEvent.Unknown unknown:
                LogUnknownBusEvent(logger, unknown.Source, unknown.DetailType, queue);
                return;
            case BusEvent.Envelope envelope:
                body = envelope.Body;
                headers[SqsOutboxTransport.ContentTypeAttribute] = DefaultContentType;
                break;
        }

        await dispatcher.Dispatch(Encoding.UTF8.GetBytes(body), headers, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledged an EventBridge event {Source}/{DetailType} that {Queue} does not take")]
    static partial void LogUnknownBusEvent(ILogger logger, string source, string detailType, string queue);
}
