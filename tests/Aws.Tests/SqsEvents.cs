using System.Text.Json.Nodes;

namespace Payments.Aws.Tests;

/// <summary>Lambda SQS events as AWS delivers them, for the batch entry point's tests.</summary>
static class SqsEvents
{
    public static JsonObject Record(string messageId, string body, string queueArn, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var record = Record(messageId, body, queueArn);
        foreach (var (name, value) in attributes ?? new Dictionary<string, string>())
            record["messageAttributes"]![name] = new JsonObject { ["stringValue"] = value, ["dataType"] = "String" };
        return record;
    }

    static JsonObject Record(string messageId, string body, string queueArn) => new()
    {
        ["messageId"] = messageId,
        ["receiptHandle"] = $"rh-{messageId}",
        ["body"] = body,
        ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = "1" },
        ["messageAttributes"] = new JsonObject
        {
            ["Content-Type"] = new JsonObject { ["stringValue"] = "application/vnd.masstransit+json", ["dataType"] = "String" },
        },
        ["eventSource"] = "aws:sqs",
        ["eventSourceARN"] = queueArn,
    };
}
