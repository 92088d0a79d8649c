using System.Xml.Linq;
using Amazon.SQS;
using Payments.Contracts;

namespace PaymentEventsConsumer.Sqs;

/// <summary>
/// Creates this service's queue on the local emulator and subscribes it, with raw message delivery, to the topics the
/// payments system publishes <see cref="PaymentSucceeded"/> and <see cref="PaymentFailed"/> on. Those topics follow
/// MassTransit's Amazon SQS naming: the message type's namespace with '.' → '_', '-', its name.
/// SNS is called over its Query API without signing, which the emulator accepts and AWS does not (no SNS SDK
/// package is available here): on AWS this is Terraform's job.
/// </summary>
public sealed class EmulatorSubscription(IAmazonSQS sqs, HttpClient http, SqsOptions options)
{
    public static readonly string[] Topics = [TopicFor<PaymentSucceeded>(), TopicFor<PaymentFailed>()];

    public static string TopicFor<T>() => $"{typeof(T).Namespace!.Replace('.', '_')}-{typeof(T).Name}";

    public async Task Subscribe(string queueUrl, CancellationToken cancellationToken)
    {
        var queueArn = (await sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"], cancellationToken)).Attributes["QueueArn"];
        foreach (var topic in Topics)
        {
            // CreateTopic returns the existing topic's ARN when the payments system has created it already.
            var topicArn = await Sns("CreateTopic", [new("Name", options.EntityPrefix + topic)], "TopicArn", cancellationToken);
            await Sns("Subscribe",
            [
                new("TopicArn", topicArn), new("Protocol", "sqs"), new("Endpoint", queueArn),
                new("Attributes.entry.1.key", "RawMessageDelivery"), new("Attributes.entry.1.value", "true"),
            ], "SubscriptionArn", cancellationToken);
        }
    }

    async Task<string> Sns(string action, KeyValuePair<string, string>[] parameters, string result, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(options.ServiceUrl,
            new FormUrlEncodedContent([new("Action", action), new("Version", "2010-03-31"), .. parameters]), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"SNS {action} answered {(int)response.StatusCode}: {body}");
        return XDocument.Parse(body).Descendants().FirstOrDefault(e => e.Name.LocalName == result)?.Value
            ?? throw new InvalidOperationException($"SNS {action}: no {result} in {body}");
    }
}
