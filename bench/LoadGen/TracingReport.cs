using System.Text;
using System.Text.Json.Nodes;

namespace Payments.Bench;

/// <summary>
/// Tracing on vs off: start-up and all-in-one throughput with OTLP export to a discarding loopback sink, with the default
/// (OpenTelemetry listening, no exporter: "off") and with <c>OTEL_SDK_DISABLED=true</c>, as ratios to "off".
/// </summary>
static class TracingReport
{
    static readonly (string Key, string Label)[] Variants =
    [
        ("off", "off (default: listening, no exporter)"),
        ("on", "on (OTLP export to a loopback sink)"),
        ("sdk-off", "OTEL_SDK_DISABLED=true (no OpenTelemetry)"),
    ];

    /// <summary>The parts bench/run.sh wrote into <paramref name="dir"/>, with the off startup from the main probe.</summary>
    public static JsonObject Read(string dir, JsonNode? offStartup)
    {
        JsonNode? Part(string name) => File.Exists(Path.Combine(dir, name)) ? JsonNode.Parse(File.ReadAllText(Path.Combine(dir, name))) : null;
        var o = new JsonObject { ["sink"] = Part("sink.json") };
        foreach (var (key, _) in Variants)
            o[key] = new JsonObject
            {
                ["load"] = Part($"load-{key}.json")?["levels"]?[0]?.DeepClone(),
                ["startup"] = key == "off" ? offStartup?.DeepClone() : Part($"startup-{key}.json"),
            };
        return o;
    }

    public static string Markdown(JsonNode? t)
    {
        if (t is null)
            return "";
        var sb = new StringBuilder();
        var off = t["off"]!;
        double? Value(JsonNode? variant, params string[] path) =>
            path.Aggregate(variant, (node, step) => node?[step]) is JsonValue v ? v.GetValue<double>() : null;
        string Ratio(double? value, double? baseline) => value is { } x && baseline is > 0 ? (x / baseline.Value).ToString("F2") + " ×" : "–";
        string F(double? value, string format) => value?.ToString(format) ?? "–";

        var clients = off["load"]?["concurrency"]?.ToString() ?? "?";
        sb.AppendLine("## Tracing on vs off");
        sb.AppendLine();
        sb.AppendLine($"All-in-one API, {clients} clients, each variant on a fresh database; start-up as in the startup probe (median of its runs). " +
                      "\"off\" is the default when `OTEL_EXPORTER_OTLP_ENDPOINT` is not set: the providers listen (so messages carry trace context and " +
                      "log lines carry trace ids) but nothing is exported. \"on\" exports traces and metrics over OTLP/HTTP to a loopback sink that " +
                      "answers 200 and discards.");
        sb.AppendLine();
        sb.AppendLine("| Variant | start → first 201 median ms | ÷ off | 201/s | ÷ off | e2e terminal/s | ÷ off | 201 p99 ms | API RSS max MB | API CPU % of a core |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (key, label) in Variants)
        {
            var v = t[key];
            var startup = Value(v, "startup", "summary_ms", "p50");
            var rps = Value(v, "load", "rps");
            var e2e = Value(v, "load", "e2e", "terminal_per_s");
            sb.AppendLine($"| {label} | {F(startup, "F0")} | {Ratio(startup, Value(off, "startup", "summary_ms", "p50"))} | {F(rps, "F0")} | " +
                          $"{Ratio(rps, Value(off, "load", "rps"))} | {F(e2e, "F0")} | {Ratio(e2e, Value(off, "load", "e2e", "terminal_per_s"))} | " +
                          $"{F(Value(v, "load", "latency_ms", "p99"), "F1")} | {F(Value(v, "load", "rss_max_mb", "api"), "F0")} | " +
                          $"{F(Value(v, "load", "cpu", "api_pct_of_one_core"), "F0")} |");
        }
        sb.AppendLine();
        if (t["sink"] is JsonObject sink)
            sb.AppendLine("The sink received: " + string.Join(", ", sink.Select(kv =>
                $"`{kv.Key}` {kv.Value!["requests"]} requests, {kv.Value["bytes"]!.GetValue<long>() / 1024.0:F0} KiB")) + ".");
        sb.AppendLine();
        return sb.ToString();
    }
}
