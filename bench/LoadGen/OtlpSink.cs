using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Payments.Bench;

/// <summary>
/// A loopback OTLP/HTTP collector that accepts and discards (200, empty protobuf answer), so the bench measures what
/// exporting costs the processes, not what a collector does. Counts requests and bytes per signal into --out after each.
/// </summary>
static class OtlpSink
{
    public static async Task<int> Run(Args a)
    {
        var port = int.Parse(a.Get("port"), CultureInfo.InvariantCulture);
        var outFile = a.Get("out");
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var counts = new Dictionary<string, (long Requests, long Bytes)>();
        while (true)
        {
            var context = await listener.GetContextAsync();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var signal = context.Request.Url?.AbsolutePath.TrimStart('/') ?? "";
            counts[signal] = counts.TryGetValue(signal, out var c) ? (c.Requests + 1, c.Bytes + body.Length) : (1, body.Length);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
            var o = new JsonObject();
            foreach (var (name, (requests, bytes)) in counts)
                o[name] = new JsonObject { ["requests"] = requests, ["bytes"] = bytes };
            await File.WriteAllTextAsync(outFile, o.ToJsonString());
        }
    }
}
