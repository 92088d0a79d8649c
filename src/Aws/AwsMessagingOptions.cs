using System.ComponentModel.DataAnnotations;

namespace Payments.Aws;

/// <summary>The SQS/SNS transport of the distributed mode (<c>Messaging:Transport = AmazonSqs</c>).</summary>
public class AwsMessagingOptions
{
    public const string Section = "Messaging:AmazonSqs";

    [Required]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Endpoint override for a local emulator (http://127.0.0.1:port); null on AWS.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Put before every queue and topic name (e.g. an environment, <c>staging-</c>); empty by default.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{0,40}$")]
    public string EntityPrefix { get; set; } = "";

    /// <summary>Create queues, dead-letter queues, topics and subscriptions at start-up (local). Off on AWS, where Terraform owns them.</summary>
    public bool AutoProvision { get; set; }

    /// <summary>With provisioning off, topic ARNs are this prefix plus the topic name, e.g. <c>arn:aws:sns:eu-west-1:123456789012:</c>.</summary>
    public string? TopicArnPrefix { get; set; }

    /// <summary>Receives before SQS moves a message to the endpoint's dead-letter queue.</summary>
    [Range(1, 1000)]
    public int MaxReceiveCount { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "12:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages processed at once per queue.</summary>
    [Range(1, 500)]
    public int ConcurrencyPerQueue { get; set; } = 16;

    [Range(0, 20)]
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>How often each dead-letter queue's depth is read for the <c>payments.dlq.depth</c> gauge.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeadLetterDepthInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long shutdown waits for in-flight messages before releasing them to other consumers.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);
}
