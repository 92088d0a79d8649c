using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Payments.Bench;

/// <summary>
/// Delivery latency of webhooks: a loopback receiver in this process, one endpoint registered for each bench user through
/// the API, and, for every payment a run created, the time from its 201 to its webhook's arrival (signature verified with
/// StandardWebhooks, as a merchant would). The endpoints are deleted afterwards, so other levels send none.
/// </summary>
sealed class WebhookLatency : IAsyncDisposable
{
    readonly Client client;
    readonly HttpListener listener = new();
    readonly List<(int User, Guid Endpoint)> endpoints = [];
    readonly ConcurrentDictionary<int, StandardWebhook> verifiers = new();
    readonly ConcurrentDictionary<Guid, DateTime> arrived = new();
    int duplicates;
    int refused;
    volatile bool stopping;
    readonly Task loop;

    WebhookLatency(Client client, int port)
    {
        this.client = client;
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        loop = Task.Run(Receive);
    }

    public static async Task<WebhookLatency> Start(Client client, int port)
    {
        var latency = new WebhookLatency(client, port);
        for (var user = 0; user < client.UserCount; user++)
        {
            var body = JsonContent.Create(new { url = $"http://127.0.0.1:{port}/hook/{user}", event_types = new[] { "payment.succeeded", "payment.failed" } });
            using var response = await client.Send(HttpMethod.Post, "/webhook-endpoints", user, body);
            var created = await response.Content.ReadFromJsonAsync<JsonObject>()
                          ?? throw new InvalidOperationException("POST /webhook-endpoints answered no body");
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"POST /webhook-endpoints answered {(int)response.StatusCode}: {created}");
            latency.verifiers[user] = new StandardWebhook(created["secret"]!.GetValue<string>());
            latency.endpoints.Add((user, Guid.Parse(created["id"]!.GetValue<string>())));
        }
        return latency;
    }

    async Task Receive()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            // Not IsListening: Stop() fails the pending GetContext before it marks the listener stopped.
            catch (Exception) when (stopping) { return; }
            var now = DateTime.UtcNow;
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var user = int.Parse(context.Request.Url!.Segments[^1], CultureInfo.InvariantCulture);
            var headers = new HeaderDictionary();
            foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature" })
                headers[name] = context.Request.Headers[name];
            try
            {
                verifiers[user].Verify(body, headers);
                var payment = Guid.Parse(JsonNode.Parse(body)!["data"]!["id"]!.GetValue<string>());
                if (!arrived.TryAdd(payment, now)) Interlocked.Increment(ref duplicates);
                context.Response.StatusCode = 200;
            }
            catch (WebhookVerificationException)
            {
                Interlocked.Increment(ref refused);
                context.Response.StatusCode = 401;
            }
            context.Response.Close();
        }
    }

    /// <summary>Waits (bounded) for every created payment's webhook, then summarises 201 → webhook received.</summary>
    public async Task<JsonObject> Measure(IReadOnlyCollection<Client.Result> results, TimeSpan timeout)
    {
        var created = results.Where(r => r is { Status: 201, PaymentId: not null }).ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (created.Any(r => !arrived.ContainsKey(r.PaymentId!.Value)) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var latencies = created.Where(r => arrived.ContainsKey(r.PaymentId!.Value))
            .Select(r => (arrived[r.PaymentId!.Value] - r.ReceivedUtc).TotalMilliseconds).ToList();
        return new JsonObject
        {
            ["payments"] = created.Count,
            ["received"] = latencies.Count,
            ["missing"] = created.Count - latencies.Count,
            ["duplicates"] = duplicates,
            ["signature_refused"] = refused,
            ["latency_ms"] = Stats.Summary(latencies),
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (user, endpoint) in endpoints)
            using (await client.Send(HttpMethod.Delete, $"/webhook-endpoints/{endpoint}", user)) { }
        stopping = true;
        listener.Stop();
        listener.Close();
        await loop;
    }
}
