using System.Text.Json;
using System.Text.Json.Nodes;

namespace Payments.Workers.Lambda;

/// <summary>
/// One CloudWatch metric value in the Embedded Metric Format: a JSON line on the function's standard output becomes
/// a metric without a PutMetricData call (and without an SDK we do not have).
/// </summary>
static class EmbeddedMetric
{
    public static string Line(string metricNamespace, string name, double value, string unit, DateTimeOffset at) =>
        new JsonObject
        {
            ["_aws"] = new JsonObject
            {
                ["Timestamp"] = at.ToUnixTimeMilliseconds(),
                ["CloudWatchMetrics"] = new JsonArray(new JsonObject
                {
                    ["Namespace"] = metricNamespace,
                    ["Dimensions"] = new JsonArray(new JsonArray()),
                    ["Metrics"] = new JsonArray(new JsonObject { ["Name"] = name, ["Unit"] = unit }),
                }),
            },
            [name] = value,
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
