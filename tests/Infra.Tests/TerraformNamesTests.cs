using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Payments.Aws;
using Payments.Aws.EventBridge;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.Processing.Endpoints;

namespace Payments.Infra.Tests;

/// <summary>
/// With AutoProvision off the application only finds what Terraform created: these tests fail when a queue, topic or
/// subscription is renamed in code and not in Terraform (or the other way round).
/// </summary>
[Collection(TerraformCollection.Name)]
public class TerraformNamesTests(TerraformFixture fixture)
{
    static readonly IReadOnlyList<MessageEndpoint> Endpoints = [.. ProcessingEndpoints.All];

    TerraformModel Model => fixture.Model;

    /// <summary>The aws_sqs_queue resource the worker's event source mappings consume.</summary>
    TfBlock WorkerQueues()
    {
        var sources = Model.OfType("aws_lambda_event_source_mapping")
            .Select(m => TerraformModel.ReferencedName(m.String("event_source_arn") == "${each.value.arn}" ? m.String("for_each") : m.String("event_source_arn"),
                "aws_sqs_queue"))
            .Distinct()
            .ToList();
        var name = Assert.Single(sources);
        return Model.Resource("aws_sqs_queue", name!);
    }

    [Fact]
    public void The_worker_consumes_exactly_the_queues_of_the_application_endpoints()
    {
        var expected = Endpoints.Select(e => e.Queue).Order(StringComparer.Ordinal).ToArray();
        var actual = Model.InstanceStrings(WorkerQueues(), "name").Values.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Each_worker_queue_has_the_dead_letter_queue_the_application_names()
    {
        var queues = WorkerQueues();
        var dlqName = Regex.Match(queues.String("redrive_policy")!, @"deadLetterTargetArn\s*=\s*aws_sqs_queue\.([A-Za-z0-9_-]+)").Groups[1].Value;
        var names = Model.InstanceStrings(queues, "name");
        var dlqNames = Model.InstanceStrings(Model.Resource("aws_sqs_queue", dlqName), "name");
        foreach (var (key, name) in names)
            Assert.Equal(EntityNames.DeadLetterQueueFor(name), dlqNames[key]);
    }

    /// <summary>local.worker_queues entries by the endpoint queue they name, with their key.</summary>
    Dictionary<string, (string Key, JsonObject Entry)> WorkerQueueEntries() =>
        Model.Locals["worker_queues"]!.AsObject().ToDictionary(q => q.Value!["name"]!.GetValue<string>(), q => (q.Key, q.Value!.AsObject()));

    [Fact]
    public void Each_queue_subscribes_to_the_topics_of_the_message_types_its_endpoint_consumes()
    {
        var queues = WorkerQueueEntries();
        foreach (var endpoint in Endpoints)
        {
            Assert.True(queues.TryGetValue(endpoint.Queue, out var entry), $"local.worker_queues has no entry for {endpoint.Queue}");
            var topics = entry.Entry["topics"]!.AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
            var expected = endpoint.SubscribedTypes.Select(EntityNames.TopicFor).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, topics);
        }

        // The subscriptions are made from that map: raw delivery to the queue.
        var subscriptions = Assert.Single(Model.OfType("aws_sns_topic_subscription"), s => s.String("protocol") == "sqs");
        Assert.Equal("${local.topic_subscriptions}", subscriptions.String("for_each"));
        Assert.Contains("local.worker_queues", Model.Locals["topic_subscriptions"]!.ToJsonString());
        Assert.True(subscriptions.Body["raw_message_delivery"]?.GetValue<bool>() == true, "subscriptions need raw_message_delivery = true");
        Assert.Equal($"${{aws_sqs_queue.{WorkerQueues().Name}[each.value.queue].arn}}", subscriptions.String("endpoint"));
    }

    [Fact]
    public void There_is_one_topic_per_published_message_type_named_as_the_application_names_it()
    {
        Type[] published =
        [
            typeof(PaymentRequested), typeof(PaymentSucceeded), typeof(PaymentFailed),
            typeof(RefundRequested), typeof(RefundSucceeded), typeof(RefundFailed),
        ];
        var expected = Endpoints.SelectMany(e => e.SubscribedTypes).Concat(published).Select(EntityNames.TopicFor)
            .Distinct().Order(StringComparer.Ordinal).ToArray();

        var subscriptions = Model.OfType("aws_sns_topic_subscription").Single(s => s.String("protocol") == "sqs");
        var topicResource = TerraformModel.ReferencedName(subscriptions.String("topic_arn"), "aws_sns_topic")!;
        var actual = Model.InstanceStrings(Model.Resource("aws_sns_topic", topicResource), "name").Values.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_lambdas_get_the_settings_the_application_reads_with_autoprovision_off()
    {
        var common = Model.Locals["common_environment"]!.AsObject();
        Assert.Equal("AmazonSqs", common["Messaging__Transport"]!.GetValue<string>());
        Assert.Equal("false", common["Messaging__AmazonSqs__AutoProvision"]!.GetValue<string>());
        Assert.Equal("${var.name_prefix}", common["Messaging__AmazonSqs__EntityPrefix"]!.GetValue<string>());
        Assert.Matches(@"^arn:\$\{data\.aws_partition\.current\.partition\}:sns:\$\{var\.region\}:\$\{data\.aws_caller_identity\.current\.account_id\}:$",
            common["Messaging__AmazonSqs__TopicArnPrefix"]!.GetValue<string>());
        Assert.Contains("ConnectionStrings__Payments", common.Select(p => p.Key));

        // Every Messaging__AmazonSqs__X is a property of the options class it binds to.
        var properties = typeof(AwsMessagingOptions).GetProperties().Select(p => p.Name).ToHashSet();
        foreach (var key in common.Select(p => p.Key).Where(k => k.StartsWith("Messaging__AmazonSqs__", StringComparison.Ordinal)))
            Assert.Contains(key["Messaging__AmazonSqs__".Length..], properties);

        var api = Model.Resource("aws_lambda_function", "api").Body["environment"]![0]!["variables"]!.GetValue<string>();
        Assert.Matches(@"\bPayments__Role\s*=\s*""Api""", api);
        Assert.Matches(@"\bAuth__Authority\s*=\s*var\.jwt_issuer\b", api);
        Assert.Matches(@"\bAuth__Issuer\s*=\s*var\.jwt_issuer\b", api);
        Assert.Matches(@"\bAuth__Audience\s*=\s*var\.jwt_audience\b", api);

        var worker = Model.Resource("aws_lambda_function", "worker").Body["environment"]![0]!["variables"]!.GetValue<string>();
        Assert.Matches(@"\bPayments__EventBridge__BusName\s*=\s*aws_cloudwatch_event_bus\.payments\.name\b", worker);
        Assert.Equal("Payments:EventBridge:BusName", OutcomeForwardingOptions.BusNameKey);
    }
}
