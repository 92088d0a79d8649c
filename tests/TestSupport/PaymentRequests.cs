using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Payments.TestSupport;

/// <summary>Builds and sends payment requests the way a REST client would.</summary>
public static class PaymentRequests
{
    public static JsonObject Body(Guid userId, long amount = 1999, string currency = "USD", string? description = "Coffee beans") =>
        new()
        {
            ["user_id"] = userId.ToString(),
            ["amount"] = amount,
            ["currency"] = currency,
            ["description"] = description,
        };

    public static Task<HttpResponseMessage> Post(HttpClient client, JsonNode body, string? idempotencyKey) =>
        PostRaw(client, body.ToJsonString(), idempotencyKey);

    public static Task<HttpResponseMessage> PostRaw(HttpClient client, string body, string? idempotencyKey, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/payments")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (idempotencyKey is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
