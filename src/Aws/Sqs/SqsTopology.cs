using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Aws.Sns;
using Payments.Processing.Endpoints;

namespace Payments.Aws.Sqs;

/// <summary>
/// Queue URLs and topic ARNs, resolved once. With <see cref="AwsMessagingOptions.AutoProvision"/> it also creates
/// each endpoint's queue with a dead-letter queue and redrive policy, the topics, and raw-delivery subscriptions
/// of each queue to the topics of the message types it consumes.
/// </summary>
public sealed partial class SqsTopology(IAmazonSQS sqs, SnsClient sns, IOptions<AwsMessagingOptions> options, IEnumerable<MessageEndpoint> endpoints,
    ILogger<SqsTopology> logger)
{
    readonly AwsMessagingOptions _options = options.Value;
    readonly ConcurrentDictionary<string, Lazy<Task<string>>> _queueUrls = new();
    readonly ConcurrentDictionary<string, Lazy<Task<string>>> _topicArns = new();

    public IReadOnlyList<MessageEndpoint> Endpoints { get; } = endpoints.ToList();

    /// <summary>URL of an endpoint's queue, by its unprefixed name.</summary>
    public Task<string> QueueUrl(string queue) => Cached(_queueUrls, _options.EntityPrefix + queue, ResolveQueueUrl);

    /// <summary>ARN of a message type's topic, by its unprefixed name.</summary>
    public Task<string> TopicArn(string topic) => Cached(_topicArns, _options.EntityPrefix + topic, ResolveTopicArn);

    /// <summary>The endpoint a queue's full (prefixed) name belongs to, e.g. from a Lambda event's source ARN.</summary>
    public string EndpointOfQueue(string queueName) =>
        queueName.StartsWith(_options.EntityPrefix, StringComparison.Ordinal) ? queueName[_options.EntityPrefix.Length..] : queueName;

    public async Task Provision(CancellationToken cancellationToken)
    {
        foreach (var endpoint in Endpoints)
        {
            var queue = _options.EntityPrefix + endpoint.Queue;
            var deadLetterUrl = await CreateQueue(EntityNames.DeadLetterQueueFor(queue), [], cancellationToken);
            var deadLetterArn = await QueueArn(deadLetterUrl, cancellationToken);
            var redrive = JsonSerializer.Serialize(new { deadLetterTargetArn = deadLetterArn, maxReceiveCount = _options.MaxReceiveCount.ToString() });
            var queueUrl = await CreateQueue(queue, new Dictionary<string, string>
            {
                ["RedrivePolicy"] = redrive,
                ["VisibilityTimeout"] = ((int)_options.VisibilityTimeout.TotalSeconds).ToString(),
            }, cancellationToken);
            var queueArn = await QueueArn(queueUrl, cancellationToken);

            var subscribed = endpoint.SubscribedTypes.ToList();
            foreach (var type in subscribed)
            {
                var topicArn = await TopicArn(EntityNames.TopicFor(type));
                await sns.Subscribe(topicArn, "sqs", queueArn, new Dictionary<string, string> { ["RawMessageDelivery"] = "true" },
                    cancellationToken);
            }
            LogProvisioned(logger, queue, subscribed.Count);
        }
    }

    async Task<string> CreateQueue(string name, Dictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        var response = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes }, cancellationToken);
#pragma warning disable VSTHRD011 // see Cached
        _queueUrls.TryAdd(name, new Lazy<Task<string>>(Task.FromResult(response.QueueUrl)));
#pragma warning restore VSTHRD011
        return response.QueueUrl;
    }

    async Task<string> QueueArn(string queueUrl, CancellationToken cancellationToken)
    {
        var response = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["QueueArn"] },
            cancellationToken);
        return response.Attributes["QueueArn"];
    }

    async Task<string> ResolveQueueUrl(string queue) => (await sqs.GetQueueUrlAsync(queue)).QueueUrl;

    Task<string> ResolveTopicArn(string topic)
    {
        if (_options.AutoProvision)
            return sns.CreateTopic(topic, CancellationToken.None);
        if (string.IsNullOrEmpty(_options.TopicArnPrefix))
            throw new InvalidOperationException($"{AwsMessagingOptions.Section}:TopicArnPrefix is required when AutoProvision is off");
        return Task.FromResult(_options.TopicArnPrefix + topic);
    }

    // One lookup per name however many messages ask at once (the Lazy); a failed lookup is not cached: the next message
    // tries again. VSTHRD011's deadlock needs a synchronization context the lookup would join; a server has none.
    static async Task<string> Cached(ConcurrentDictionary<string, Lazy<Task<string>>> cache, string key, Func<string, Task<string>> resolve)
    {
#pragma warning disable VSTHRD011
        var entry = cache.GetOrAdd(key, k => new Lazy<Task<string>>(() => resolve(k)));
#pragma warning restore VSTHRD011
        try
        {
            return await entry.Value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, entry));
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned queue {Queue} with its dead-letter queue and {Topics} topic subscriptions")]
    static partial void LogProvisioned(ILogger logger, string queue, int topics);
}
