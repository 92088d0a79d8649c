namespace PaymentEventsConsumer.Sqs;

/// <summary>Where this service reads payment events from (section <c>PaymentEvents</c>).</summary>
public sealed class SqsOptions
{
    public const string Section = "PaymentEvents";

    /// <summary>This service's own queue, subscribed to the payment outcome topics.</summary>
    public string Queue { get; set; } = "payment-events-consumer";

    /// <summary>The payments deployment's entity prefix (its <c>Messaging:AmazonSqs:EntityPrefix</c>), before topic and queue names.</summary>
    public string EntityPrefix { get; set; } = "";

    public string Region { get; set; } = "us-east-1";

    /// <summary>A local emulator (http://127.0.0.1:port); null on AWS.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// Create the queue and subscribe it to the topics at start-up: only against the emulator. On AWS the queue, its
    /// policy and the subscriptions (raw message delivery) are the team's Terraform.
    /// </summary>
    public bool SubscribeOnStart { get; set; }

    public int WaitTimeSeconds { get; set; } = 20;
}
