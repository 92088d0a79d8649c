using Payments.Outbox;

namespace Payments.Aws.Sqs;

/// <summary>
/// The trace context MassTransit keeps in a message's headers (<c>MT-Activity-Id</c>, <c>MT-Activity-Correlation-Context</c>),
/// as String message attributes for SNS and SQS, as MassTransit.AmazonSQS carries it. The receiver hands every String
/// attribute to the dispatcher as a transport header, where MassTransit's receive span finds its parent; without them
/// every queue hop would start a new trace.
/// </summary>
static class TraceAttributes
{
    const string Prefix = "MT-Activity-";

    /// <summary>SQS and SNS take 10 attributes per message; one is the content type.</summary>
    const int Max = 9;

    public static List<KeyValuePair<string, string>> Of(OutboxMessage message) =>
        message.TextHeaders()
            .Where(h => h.Key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && h.Value.Length > 0)
            .Take(Max)
            .ToList();
}
