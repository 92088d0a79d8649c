using System.Text.RegularExpressions;

namespace Payments.Infra.Tests;

/// <summary>
/// An age alarm (ApproximateAgeOfOldestMessage) on a queue nothing consumes goes to ALARM with the first message and stays
/// there. So a queue is alarmed exactly when it has a consumer: an event source mapping in the stack.
/// </summary>
[Collection(TerraformCollection.Name)]
public partial class QueueAlarmTests(TerraformFixture fixture)
{
    TerraformModel Model => fixture.Model;

    sealed record QueueInstance(string Resource, string Key);

    [Fact]
    public void Every_queue_with_an_age_alarm_has_a_consumer_and_every_consumed_queue_has_one()
    {
        var alarmed = AgeAlarmedQueues();
        var consumed = ConsumedByEventSourceMappings();
        Assert.NotEmpty(consumed);

        var withoutConsumer = alarmed.Where(q => !consumed.Contains(q)).Select(Name).Order().ToList();
        Assert.True(withoutConsumer.Count == 0,
            $"age alarms on queues nothing consumes (they would stay in ALARM): {string.Join(", ", withoutConsumer)}. Add an event " +
            "source mapping for the queue, or drop the alarm.");

        var unwatched = consumed.Where(q => !alarmed.Contains(q)).Select(Name).Order().ToList();
        Assert.True(unwatched.Count == 0, $"consumed queues without an age alarm: {string.Join(", ", unwatched)}");
    }

    /// <summary>The queue instances the age alarm's for_each names, evaluated from its local's <c>{ for … }</c> (or a merge of them).</summary>
    HashSet<QueueInstance> AgeAlarmedQueues()
    {
        var alarm = Assert.Single(Model.OfType("aws_cloudwatch_metric_alarm"), a => a.String("metric_name") == "ApproximateAgeOfOldestMessage");
        Assert.Equal("${each.value}", alarm.Body["dimensions"]?["QueueName"]?.GetValue<string>());
        var localName = Regex.Match(alarm.String("for_each") ?? "", @"^\$\{local\.([A-Za-z0-9_]+)\}$");
        Assert.True(localName.Success, $"{alarm.Address}: for_each must be a local this test can evaluate, not {alarm.String("for_each")}");
        var expression = Model.Locals[localName.Groups[1].Value]!.GetValue<string>();

        var parts = ForExpression().Matches(expression);
        Assert.True(parts.Count > 0 && parts.Count == Regex.Matches(expression, @"\bfor\b").Count,
            $"local.{localName.Groups[1].Value} is not {{ for key, value in collection : \"name\" => queue name }} (or a merge of them): {expression}");

        var alarmed = new HashSet<QueueInstance>();
        foreach (Match part in parts)
        {
            var (keyVariable, valueVariable, collection, value) =
                (part.Groups["key"].Value, part.Groups["value"].Value, part.Groups["collection"].Value, part.Groups["result"].Value);
            // { for key, queue in aws_sqs_queue.q : … => queue.name }: every instance of the queue resource.
            if (value == $"{valueVariable}.name" && Regex.Match(collection, @"^aws_sqs_queue\.([A-Za-z0-9_-]+)$") is { Success: true } all)
            {
                alarmed.UnionWith(Keys(all.Groups[1].Value).Select(k => new QueueInstance(all.Groups[1].Value, k)));
                continue;
            }
            // { for key, x in collection : … => aws_sqs_queue.q[key].name }: the instances of q with the collection's keys.
            var indexed = Regex.Match(value, $@"^aws_sqs_queue\.([A-Za-z0-9_-]+)\[{Regex.Escape(keyVariable)}\]\.name$");
            Assert.True(indexed.Success, $"cannot evaluate the queue name '{value}' in {part.Value}");
            alarmed.UnionWith(KeysOf(collection).Select(k => new QueueInstance(indexed.Groups[1].Value, k)));
        }
        return alarmed;
    }

    /// <summary>The queue instances some aws_lambda_event_source_mapping reads.</summary>
    HashSet<QueueInstance> ConsumedByEventSourceMappings()
    {
        var consumed = new HashSet<QueueInstance>();
        foreach (var mapping in Model.OfType("aws_lambda_event_source_mapping"))
        {
            var source = mapping.String("event_source_arn");
            var forEach = mapping.String("for_each");
            if (source == "${each.value.arn}" && forEach is not null && QueueResource(TerraformModel.Unwrap(forEach)) is { } each)
                consumed.UnionWith(Keys(each).Select(k => new QueueInstance(each, k)));
            else if (Regex.Match(source ?? "", @"^\$\{aws_sqs_queue\.([A-Za-z0-9_-]+)(?:\[""([^""]+)""\])?\.arn\}$") is { Success: true } single && forEach is null)
                consumed.Add(new QueueInstance(single.Groups[1].Value, single.Groups[2].Value));
            else
                throw new InvalidOperationException($"{mapping.Address}: cannot evaluate which queue event_source_arn '{source}' (for_each '{forEach}') reads");
        }
        return consumed;
    }

    /// <summary>Keys of a for_each collection: a queue resource or an event source mapping over one.</summary>
    IEnumerable<string> KeysOf(string collection)
    {
        if (QueueResource(collection) is { } queue)
            return Keys(queue);
        if (Regex.Match(collection, @"^aws_lambda_event_source_mapping\.([A-Za-z0-9_-]+)$") is { Success: true } mapping)
        {
            var forEach = Model.Resource("aws_lambda_event_source_mapping", mapping.Groups[1].Value).String("for_each");
            return QueueResource(forEach is null ? null : TerraformModel.Unwrap(forEach)) is { } source
                ? Keys(source)
                : throw new InvalidOperationException($"{collection}: for_each '{forEach}' is not a queue resource this test can evaluate");
        }
        throw new InvalidOperationException(
            $"cannot evaluate the keys of '{collection}': alarm on event source mappings, or teach this test");
    }

    static string? QueueResource(string? expression) =>
        expression is not null && Regex.Match(expression, @"^aws_sqs_queue\.([A-Za-z0-9_-]+)$") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Instance keys of an aws_sqs_queue ("" for one without for_each).</summary>
    IEnumerable<string> Keys(string queueResource) => Model.InstanceStrings(Model.Resource("aws_sqs_queue", queueResource), "name").Keys;

    string Name(QueueInstance queue) =>
        Model.InstanceStrings(Model.Resource("aws_sqs_queue", queue.Resource), "name").GetValueOrDefault(queue.Key) ?? $"aws_sqs_queue.{queue.Resource}[{queue.Key}]";

    [GeneratedRegex(@"\{\s*for\s+(?<key>\w+)\s*,\s*(?<value>\w+)\s+in\s+(?<collection>[\w.-]+)\s*:\s*""[^""]*""\s*=>\s*(?<result>[^\s{}]+)\s*\}")]
    private static partial Regex ForExpression();
}
