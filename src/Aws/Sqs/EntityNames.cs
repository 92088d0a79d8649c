namespace Payments.Aws.Sqs;

/// <summary>
/// Queue and topic names, following MassTransit's Amazon SQS conventions so that a service using stock
/// MassTransit.AmazonSQS finds our topics: a message type's topic is its namespace with '.' replaced by '_',
/// a '-', then its name (e.g. <c>Payments_Contracts-PaymentSucceeded</c>).
/// </summary>
public static class EntityNames
{
    const string UrnPrefix = "urn:message:";

    public static string TopicFor(Type messageType) => $"{messageType.Namespace?.Replace('.', '_')}-{messageType.Name}";

    /// <summary><c>urn:message:Payments.Contracts:PaymentSucceeded</c> → <c>Payments_Contracts-PaymentSucceeded</c>.</summary>
    public static string TopicFor(string messageUrn)
    {
        var name = messageUrn.StartsWith(UrnPrefix, StringComparison.Ordinal) ? messageUrn[UrnPrefix.Length..] : messageUrn;
        var colon = name.LastIndexOf(':');
        return colon < 0 ? name.Replace('.', '_') : $"{name[..colon].Replace('.', '_')}-{name[(colon + 1)..]}";
    }

    public static string DeadLetterQueueFor(string queue) => $"{queue}_dlq";

    /// <summary>
    /// Where an outbox row goes: a publish address names a message type (a topic), any other address a queue.
    /// </summary>
    public static (bool IsTopic, string Name) DestinationOf(Uri destinationAddress)
    {
        var last = Uri.UnescapeDataString(destinationAddress.AbsolutePath.TrimEnd('/').Split('/')[^1]);
        if (destinationAddress.Scheme == "queue")
            last = destinationAddress.AbsolutePath;
        return last.StartsWith(UrnPrefix, StringComparison.Ordinal) ? (true, TopicFor(last)) : (false, last);
    }
}
