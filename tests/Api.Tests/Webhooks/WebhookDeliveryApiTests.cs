using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>The delivery log, retry and replay, for the endpoint's owner only.</summary>
public class WebhookDeliveryApiTests : IAsyncLifetime
{
    readonly Guid _owner = Guid.NewGuid();
    WebhookHost _host = null!;
    WebhookReceiver _receiver = null!;
    HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await WebhookHost.Start(WebhookHost.NewClock());
        _receiver = await WebhookReceiver.Start();
        _client = _host.Api.ClientFor(_owner);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    async Task<Guid> CompletedPayment(string key)
    {
        var created = await PaymentRequests.Post(_client, PaymentRequests.Body(_owner), key);
        var id = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        await Sql.WaitUntil(async () => await _host.Sql.Count("payments", $"id = '{id}' AND completed_at IS NOT NULL") == 1,
            TimeSpan.FromSeconds(20), "the payment to complete");
        return id;
    }

    [Fact]
    public async Task The_log_shows_each_delivery_and_a_retry_sends_a_failed_one_again()
    {
        var endpoint = await _host.InsertEndpoint(_owner, _receiver.Url, WebhookHost.NewSecret());
        var payment = await CompletedPayment("wh-api-log-1");
        await Sql.WaitUntil(async () => await _host.Sql.Count("webhook_deliveries") == 1, TimeSpan.FromSeconds(20), "the planned delivery");
        await _host.Sql.Execute("UPDATE webhook_deliveries SET status = 'failed', attempts = 8, next_attempt_at = NULL, last_response_code = 500, last_error = 'HTTP 500'");

        var log = await _client.GetFromJsonAsync<JsonElement>($"/webhook-endpoints/{endpoint}/deliveries");
        var item = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Equal(OutcomeEventId.For(payment), item.GetProperty("event_id").GetGuid());
        Assert.Equal("failed", item.GetProperty("status").GetString());
        Assert.Equal(8, item.GetProperty("attempts").GetInt32());
        Assert.Equal(500, item.GetProperty("last_response_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("next_attempt_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, log.GetProperty("next_cursor").ValueKind);
        var deliveryId = item.GetProperty("id").GetGuid();

        var retry = await _client.PostAsync($"/webhook-endpoints/{endpoint}/deliveries/{deliveryId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var armed = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("pending", 0), (armed.GetProperty("status").GetString(), armed.GetProperty("attempts").GetInt32()));

        Assert.Equal(1, await _host.DeliverDue());
        Assert.Equal(OutcomeEventId.For(payment).ToString(), Assert.Single(_receiver.Received).Id);
        Assert.Equal("succeeded", (await _host.Delivery(deliveryId)).Status);
    }

    [Fact]
    public async Task Replay_sends_every_past_outcome_of_the_endpoints_types_again_with_the_same_webhook_ids()
    {
        // The schedule's clock (behind the wall clock here) decides what is "the future".
        var since = _host.Time!.GetUtcNow() - TimeSpan.FromSeconds(1);
        // Completed before the endpoint existed: nothing was planned for them.
        Guid[] payments = [await CompletedPayment("wh-api-replay-1"), await CompletedPayment("wh-api-replay-2")];
        var secret = WebhookHost.NewSecret();
        var endpoint = await _host.InsertEndpoint(_owner, _receiver.Url, secret);
        Assert.Equal(0, await _host.Sql.Count("webhook_deliveries"));

        var replay = await _client.PostAsJsonAsync($"/webhook-endpoints/{endpoint}/replay", new { since });
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(2, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveries").GetInt32());
        Assert.Equal(2, await _host.DeliverDue());
        var expected = payments.Select(p => OutcomeEventId.For(p).ToString()).Order().ToArray();
        Assert.Equal(expected, _receiver.Received.Select(w => w.Id).Order().ToArray());
        foreach (var webhook in _receiver.Received)
        {
            webhook.Verify(secret);
            Assert.Contains(JsonDocument.Parse(webhook.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid(), payments);
        }

        // Again: the same deliveries are re-armed, not duplicated, and carry the same webhook-ids.
        replay = await _client.PostAsJsonAsync($"/webhook-endpoints/{endpoint}/replay", new { since });
        Assert.Equal(2, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveries").GetInt32());
        Assert.Equal(2, await _host.DeliverDue());
        Assert.Equal(2, await _host.Sql.Count("webhook_deliveries"));
        Assert.Equal(expected.Concat(expected).Order().ToArray(), _receiver.Received.Select(w => w.Id).Order().ToArray());
    }

    [Fact]
    public async Task Another_users_endpoint_is_not_found()
    {
        var endpoint = await _host.InsertEndpoint(_owner, _receiver.Url, WebhookHost.NewSecret());
        var delivery = await _host.InsertDelivery(endpoint, DateTimeOffset.UtcNow);
        var stranger = _host.Api.ClientFor(Guid.NewGuid());

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/webhook-endpoints/{endpoint}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/webhook-endpoints/{endpoint}/deliveries/{delivery}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await stranger.PostAsJsonAsync($"/webhook-endpoints/{endpoint}/replay", new { since = DateTimeOffset.UtcNow.AddDays(-1) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync($"/webhook-endpoints/{endpoint}/deliveries/{Guid.NewGuid()}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/webhook-endpoints/{Guid.NewGuid()}/deliveries")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/webhook-endpoints/nope/deliveries", null, "id")]
    [InlineData("GET", "/webhook-endpoints/{endpoint}/deliveries?limit=0", null, "limit")]
    [InlineData("GET", "/webhook-endpoints/{endpoint}/deliveries?cursor=xyz", null, "cursor")]
    [InlineData("POST", "/webhook-endpoints/{endpoint}/deliveries/nope/retry", null, "delivery_id")]
    [InlineData("POST", "/webhook-endpoints/{endpoint}/replay", "{}", "since")]
    [InlineData("POST", "/webhook-endpoints/{endpoint}/replay", """{"since":"yesterday"}""", "since")]
    [InlineData("POST", "/webhook-endpoints/{endpoint}/replay", """{"since":"2026-11-30T10:00:00"}""", "since")]
    [InlineData("POST", "/webhook-endpoints/{endpoint}/replay", """{"since":12}""", "since")]
    [InlineData("POST", "/webhook-endpoints/{endpoint}/replay", """{"since":"2999-01-01T00:00:00Z"}""", "since")]
    public async Task Bad_input_is_a_validation_problem_naming_the_field(string method, string path, string? body, string field)
    {
        var endpoint = await _host.InsertEndpoint(_owner, _receiver.Url, WebhookHost.NewSecret());
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{endpoint}", endpoint.ToString()));
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:payments:problem:validation-error", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}: {problem}");
        Assert.Equal(0, await _host.Sql.Count("webhook_deliveries"));
    }

    [Fact]
    public async Task Replay_without_a_json_body_is_refused()
    {
        var endpoint = await _host.InsertEndpoint(_owner, _receiver.Url, WebhookHost.NewSecret());
        var response = await _client.PostAsync($"/webhook-endpoints/{endpoint}/replay", new StringContent("since=now"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        response = await _client.PostAsync($"/webhook-endpoints/{endpoint}/replay", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
