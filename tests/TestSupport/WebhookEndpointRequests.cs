using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Payments.TestSupport;

/// <summary>Builds and sends webhook endpoint requests the way a REST client would.</summary>
public static class WebhookEndpointRequests
{
    /// <summary>A loopback URL: tests allow loopback and http (<see cref="ApiFactory.Defaults"/>); nothing listens there unless a test starts it.</summary>
    public const string LoopbackUrl = "http://127.0.0.1:9/webhooks";

    public static JsonObject Body(string url = LoopbackUrl, string[]? eventTypes = null, string? description = "Orders") =>
        new()
        {
            ["url"] = url,
            ["event_types"] = new JsonArray([.. (eventTypes ?? ["payment.succeeded", "payment.failed"]).Select(t => (JsonNode)t!)]),
            ["description"] = description,
        };

    public static Task<HttpResponseMessage> Post(HttpClient client, JsonNode body, string? idempotencyKey) =>
        Send(client, HttpMethod.Post, "/webhook-endpoints", body.ToJsonString(), idempotencyKey);

    public static Task<HttpResponseMessage> Patch(HttpClient client, string id, JsonNode body) =>
        Send(client, HttpMethod.Patch, $"/webhook-endpoints/{id}", body.ToJsonString(), null);

    public static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string body, string? idempotencyKey,
        string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (idempotencyKey is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }
}
