using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Payments.TestSupport;
using Xunit;

namespace Payments.Api.Tests.Refunds;

/// <summary>
/// One API for a test class, its outbox not delivered: payments are made SUCCESS or FAILED in SQL (no saga moves them) and
/// refunds stay PENDING, so every row and outbox message a request wrote can be counted.
/// </summary>
public sealed class RefundApi : IAsyncLifetime
{
    public ApiFactory Api { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Api = await ApiFactory.Start(new Dictionary<string, string?> { ["Payments:Outbox:DeliveryEnabled"] = "false" });

    public async Task DisposeAsync() => await Api.DisposeAsync();

    /// <summary>A payment of <paramref name="user"/> created through the API and then set to <paramref name="status"/>; its id.</summary>
    public async Task<Guid> Payment(Guid user, long amount, string status = "SUCCESS", string currency = "USD")
    {
        using var client = Api.ClientFor(user);
        using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount, currency), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        if (status != "PENDING")
            await Api.Sql.Execute($"UPDATE payments SET status = '{status}', completed_at = now() WHERE id = '{id}'");
        return id;
    }

    public static JsonObject Body(long? amount = null, string? reason = null, string? currency = null)
    {
        var body = new JsonObject();
        if (amount is not null)
            body["amount"] = amount;
        if (reason is not null)
            body["reason"] = reason;
        if (currency is not null)
            body["currency"] = currency;
        return body;
    }

    public static Task<HttpResponseMessage> Post(HttpClient client, Guid paymentId, JsonNode body, string? key) =>
        PostRaw(client, paymentId.ToString(), body.ToJsonString(), key);

    public static Task<HttpResponseMessage> PostRaw(HttpClient client, string paymentId, string body, string? key,
        string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/payments/{paymentId}/refunds") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    /// <summary>What the refunds of a payment left in the database: to show a refused request wrote nothing.</summary>
    public async Task<Written> WrittenFor(Guid paymentId)
    {
        var reserved = (await Api.Sql.Query($"SELECT refund_reserved FROM payments WHERE id = '{paymentId}'", r => r.GetInt64(0))).Single();
        return new Written(reserved, await Api.Sql.Count("refunds", $"payment_id = '{paymentId}'"),
            await Api.Sql.Count("outbox_messages", $"message_type LIKE '%RefundRequested%' AND body LIKE '%{paymentId}%'"));
    }

    public Task<long> KeysOf(Guid user) => Api.Sql.Count("idempotency_keys", $"user_id = '{user}'");

    public sealed record Written(long Reserved, long Refunds, long OutboxMessages);
}
