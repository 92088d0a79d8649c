using System.Globalization;
using System.Text.Json.Nodes;
using Payments.Processing.Outcomes;

namespace Payments.Aws.Tests.EventBridge;

/// <summary>
/// Events as an EventBridge rule's SQS target delivers them: the message body is the whole event, with the fields AWS
/// documents for every event on a bus (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html),
/// and no message attributes.
/// </summary>
static class BusEvents
{
    /// <summary>An outcome as the outcome forwarder puts it on the bus, delivered with the event id EventBridge gave it.</summary>
    public static string Of<T>(T outcome, DateTimeOffset completedAt, Guid? busEventId = null) where T : class
    {
        var entry = OutcomeForwarder.EventOf(outcome, completedAt);
        return Event(entry.Source, entry.DetailType, JsonNode.Parse(entry.Detail), entry.Time, busEventId);
    }

    public static string Event(string source, string detailType, JsonNode? detail, DateTimeOffset? time = null, Guid? busEventId = null)
    {
        var body = new JsonObject
        {
            ["version"] = "0",
            ["id"] = (busEventId ?? Guid.NewGuid()).ToString(),
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = "111122223333",
            ["time"] = (time ?? DateTimeOffset.UtcNow).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray(),
        };
        if (detail is not null)
            body["detail"] = detail;
        return body.ToJsonString();
    }

    /// <summary>A Lambda SQS event record of a bus event: EventBridge sets no message attributes.</summary>
    public static JsonObject LambdaRecord(string messageId, string body, string queueArn) => new()
    {
        ["messageId"] = messageId,
        ["receiptHandle"] = $"rh-{messageId}",
        ["body"] = body,
        ["attributes"] = new JsonObject
        {
            ["ApproximateReceiveCount"] = "1",
            ["SentTimestamp"] = "1764528000000",
            ["SenderId"] = "AIDAIENQZJOLO23YVJ4VO",
            ["ApproximateFirstReceiveTimestamp"] = "1764528000010",
        },
        ["messageAttributes"] = new JsonObject(),
        ["md5OfBody"] = "",
        ["eventSource"] = "aws:sqs",
        ["eventSourceARN"] = queueArn,
        ["awsRegion"] = "us-east-1",
    };
}
