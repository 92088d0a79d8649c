using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Payments.Aws.Sqs;

/// <summary>
/// The Lambda SQS event entry point: dispatches every record and answers with the ids of those that failed
/// (<c>batchItemFailures</c>), so Lambda deletes the rest and redelivers only the failures. A record that
/// cannot be read is reported as failed, never silently dropped.
/// </summary>
public sealed partial class SqsBatchHandler(SqsMessageDispatcher dispatcher, SqsTopology topology, ILogger<SqsBatchHandler> logger)
{
    public async Task<string> Handle(string sqsEventJson, CancellationToken cancellationToken)
    {
        var records = Records(sqsEventJson);
        var ids = MessageIds(records);
        var failures = new List<string>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var messageId = ids[i];
            if (cancellationToken.IsCancellationRequested)
            {
                // Out of time: this record and the rest are handed back to Lambda, not lost.
                failures.AddRange(ids[i..]);
                break;
            }
            try
            {
                var queue = topology.EndpointOfQueue(record!["eventSourceARN"]!.GetValue<string>().Split(':')[^1]);
                var body = record["body"]!.GetValue<string>();
                var attributes = new Dictionary<string, string>();
                if (record["messageAttributes"] is JsonObject map)
                    foreach (var (name, value) in map)
                        if (value?["stringValue"]?.GetValue<string>() is { } text)
                            attributes[name] = text;

                await dispatcher.Dispatch(queue, body, attributes, cancellationToken);
            }
            catch (Exception e)
            {
                LogRecordFailed(logger, e, messageId);
                failures.Add(messageId);
            }
        }

        return Answer(failures);
    }

    /// <summary>The answer when a batch could not run at all: every record is redelivered.</summary>
    public static string AllRecordsFailed(string sqsEventJson) => Answer(MessageIds(Records(sqsEventJson)));

    static JsonArray Records(string sqsEventJson) =>
        JsonNode.Parse(sqsEventJson)?["Records"]?.AsArray() ?? throw new FormatException("Not an SQS event: no Records array");

    static List<string> MessageIds(JsonArray records) =>
        records.Select(r => r?["messageId"]?.GetValue<string>() ?? throw new FormatException("An SQS record has no messageId")).ToList();

    static string Answer(IEnumerable<string> failedIds) =>
        JsonSerializer.Serialize(new { batchItemFailures = failedIds.Select(id => new { itemIdentifier = id }) });

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS record {MessageId} failed; Lambda will redeliver it")]
    static partial void LogRecordFailed(ILogger logger, Exception exception, string messageId);
}
