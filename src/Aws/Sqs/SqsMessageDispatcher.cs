using System.Collections.Concurrent;
using System.Text;
using MassTransit.Transports;
using Payments.Processing.Endpoints;

namespace Payments.Aws.Sqs;

/// <summary>
/// Runs one SQS message through its endpoint's whole MassTransit pipeline (retry, inbox, consumer or saga).
/// Returns normally only when the message was handled; throws when it faulted, so the caller keeps it.
/// Shared by the long-poll receiver and the Lambda batch entry point.
/// </summary>
public sealed class SqsMessageDispatcher(IReceiveEndpointDispatcherFactory factory, SqsTopology topology)
{
    const string DefaultContentType = "application/vnd.masstransit+json";
    readonly ConcurrentDictionary<string, IReceiveEndpointDispatcher> _dispatchers = new();

    public async Task Dispatch(string queue, string body, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        var dispatcher = _dispatchers.GetOrAdd(queue, q =>
            (topology.Endpoints.FirstOrDefault(e => e.Queue == q) ?? throw new InvalidOperationException($"No endpoint is hosted for queue {q}"))
            .CreateDispatcher(factory));

        var headers = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in attributes)
            headers[key] = value;
        headers.TryAdd(SqsOutboxTransport.ContentTypeAttribute, DefaultContentType);

        await dispatcher.Dispatch(Encoding.UTF8.GetBytes(body), headers, cancellationToken);
    }
}
