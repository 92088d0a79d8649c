using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Payments.TestSupport;
using static Payments.TestSupport.ProblemAssertions;
using static Payments.TestSupport.WebhookEndpointRequests;

namespace Payments.Api.Tests.Webhooks;

/// <summary>The webhook endpoints API through HTTP: what its owner can do, what nobody else can, and what is refused.</summary>
public class WebhookEndpointTests(SharedApi shared) : IClassFixture<SharedApi>
{
    const string Unprocessable = ProblemPrefix + "unprocessable-content";
    readonly ApiFactory _api = shared.Api;

    [Fact]
    public async Task Create_read_list_change_and_delete()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var created = await Post(client, Body(description: "Orders"), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpoint = await PaymentRequests.Json(created);
        var id = endpoint.GetProperty("id").GetString()!;
        Assert.Equal($"/webhook-endpoints/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(LoopbackUrl, endpoint.GetProperty("url").GetString());
        Assert.Equal(["payment.succeeded", "payment.failed"], endpoint.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Orders", endpoint.GetProperty("description").GetString());
        Assert.True(endpoint.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, endpoint.GetProperty("disabled_reason").ValueKind);

        using var read = await client.GetAsync($"/webhook-endpoints/{id}");
        var readBody = await PaymentRequests.Json(read);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(endpoint.GetProperty("created_at").GetString(), readBody.GetProperty("created_at").GetString());
        Assert.Equal(endpoint.GetProperty("updated_at").GetString(), readBody.GetProperty("updated_at").GetString());

        using var changed = await Patch(client, id, new JsonObject
        {
            ["url"] = "http://127.0.0.1:10/other",
            ["event_types"] = new JsonArray("payment.failed"),
            ["description"] = null,
            ["enabled"] = false,
        });
        var changedBody = await PaymentRequests.Json(changed);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("http://127.0.0.1:10/other", changedBody.GetProperty("url").GetString());
        Assert.Equal(["payment.failed"], changedBody.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(JsonValueKind.Null, changedBody.GetProperty("description").ValueKind);
        Assert.False(changedBody.GetProperty("enabled").GetBoolean());
        Assert.Equal("disabled by its owner", changedBody.GetProperty("disabled_reason").GetString());

        using var listed = await client.GetAsync("/webhook-endpoints");
        var items = (await PaymentRequests.Json(listed)).GetProperty("items");
        Assert.Equal(id, Assert.Single(items.EnumerateArray()).GetProperty("id").GetString());

        using var deleted = await client.DeleteAsync($"/webhook-endpoints/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync($"/webhook-endpoints/{id}");
        await AssertProblem(gone, HttpStatusCode.NotFound, ProblemPrefix + "not-found");
        Assert.Equal(0, await _api.Sql.Count("webhook_endpoints", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task Enabling_clears_the_reason_and_the_failure_window()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var id = await Create(client);
        // As the delivery side leaves an endpoint it disabled.
        await _api.Sql.Execute($"UPDATE webhook_endpoints SET enabled = false, disabled_reason = '410 Gone', disabled_at = now(), "
                               + $"failing_since = now() - interval '6 days' WHERE id = '{id}'");

        using var enabled = await Patch(client, id, new JsonObject { ["enabled"] = true });

        var body = await PaymentRequests.Json(enabled);
        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("disabled_reason").ValueKind);
        Assert.Equal(1, await _api.Sql.Count("webhook_endpoints",
            $"id = '{id}' AND enabled AND disabled_reason IS NULL AND disabled_at IS NULL AND failing_since IS NULL"));
    }

    [Fact]
    public async Task Deleting_an_endpoint_deletes_its_deliveries()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var id = await Create(client);
        await _api.Sql.Execute("INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, created_at) "
                               + $"VALUES ('{Guid.NewGuid()}', '{id}', '{Guid.NewGuid()}', 'payment.succeeded', '{{}}', 'pending', 0, now())");

        using var deleted = await client.DeleteAsync($"/webhook-endpoints/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await _api.Sql.Count("webhook_deliveries", $"endpoint_id = '{id}'"));
    }

    [Fact]
    public async Task The_secret_is_shown_on_creation_only()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var created = await Post(client, Body(), Guid.NewGuid().ToString());
        var body = await PaymentRequests.Json(created);
        var secret = body.GetProperty("secret").GetString()!;
        var id = body.GetProperty("id").GetString()!;

        Assert.StartsWith("whsec_", secret);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24, secret);
        Assert.Equal(1, await _api.Sql.Count("webhook_endpoints", $"id = '{id}' AND secret = '{secret}'"));
        foreach (var path in new[] { $"/webhook-endpoints/{id}", "/webhook-endpoints" })
        {
            using var read = await client.GetAsync(path);
            var text = await read.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.DoesNotContain("secret", text);
            Assert.DoesNotContain(secret["whsec_".Length..], text);
        }
        using var changed = await Patch(client, id, new JsonObject { ["description"] = "x" });
        Assert.DoesNotContain("secret", await changed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rotation_keeps_the_previous_secret_for_the_grace_period()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        using var created = await Post(client, Body(), Guid.NewGuid().ToString());
        var createdBody = await PaymentRequests.Json(created);
        var first = createdBody.GetProperty("secret").GetString()!;
        var id = createdBody.GetProperty("id").GetString()!;

        var before = DateTimeOffset.UtcNow;
        using var rotated = await client.PostAsync($"/webhook-endpoints/{id}/rotate-secret", null);
        var body = await PaymentRequests.Json(rotated);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", second);
        Assert.NotEqual(first, second);
        var expires = body.GetProperty("previous_secret_expires_at").GetDateTimeOffset();
        Assert.InRange(expires, before.AddHours(24).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(1));
        var stored = await _api.Sql.Query($"SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = '{id}'",
            r => (r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2)));
        Assert.Equal((second, first, expires), Assert.Single(stored));
    }

    [Fact]
    public async Task Another_users_endpoint_is_not_found_and_unchanged()
    {
        var owner = Guid.NewGuid();
        using var ownerClient = _api.ClientFor(owner);
        var id = await Create(ownerClient);
        using var other = _api.ClientFor(Guid.NewGuid());

        using var get = await other.GetAsync($"/webhook-endpoints/{id}");
        using var patch = await Patch(other, id, new JsonObject { ["enabled"] = false });
        using var rotate = await other.PostAsync($"/webhook-endpoints/{id}/rotate-secret", null);
        using var delete = await other.DeleteAsync($"/webhook-endpoints/{id}");
        using var list = await other.GetAsync("/webhook-endpoints");

        foreach (var response in new[] { get, patch, rotate, delete })
            await AssertProblem(response, HttpStatusCode.NotFound, ProblemPrefix + "not-found");
        Assert.Empty((await PaymentRequests.Json(list)).GetProperty("items").EnumerateArray());
        Assert.Equal(1, await _api.Sql.Count("webhook_endpoints", $"id = '{id}' AND enabled AND previous_secret IS NULL"));
    }

    [Fact]
    public async Task The_same_key_and_body_replays_the_first_answer()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var first = await Post(client, Body(), "hook-1");
        using var second = await Post(client, Body(), "hook-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(1, await _api.Sql.Count("webhook_endpoints", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task The_same_key_with_another_body_or_for_a_payment_is_refused()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        await Post(client, Body(), "hook-2");

        using var otherBody = await Post(client, Body(eventTypes: ["payment.failed"]), "hook-2");
        using var payment = await PaymentRequests.Post(client, PaymentRequests.Body(user), "hook-2");

        await AssertProblem(otherBody, (HttpStatusCode)422, ProblemPrefix + "idempotency-key-reused");
        await AssertProblem(payment, (HttpStatusCode)422, ProblemPrefix + "idempotency-key-reused");
        Assert.Equal(1, await _api.Sql.Count("webhook_endpoints", $"user_id = '{user}'"));
        Assert.Equal(0, await _api.Sql.Count("payments", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task A_request_still_holding_its_key_is_told_to_retry()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        // Hold the key's claim the way an in-flight request's transaction does (as IdempotencyTests).
        await using var connection = new NpgsqlConnection(_api.Sql.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var claim = new NpgsqlCommand(
                         $"SELECT pg_advisory_xact_lock(hashtextextended('{user}' || '/' || 'in-flight', 0))", connection, transaction))
            await claim.ExecuteNonQueryAsync();

        using var response = await Post(client, Body(), "in-flight");

        await AssertProblem(response, HttpStatusCode.Conflict, ProblemPrefix + "request-in-progress");
        Assert.Equal(0, await _api.Sql.Count("webhook_endpoints", $"user_id = '{user}'"));
    }

    [Theory]
    [InlineData("unknown type", "[\"payment.created\"]")]
    [InlineData("one unknown among known", "[\"payment.succeeded\",\"dispute.opened\"]")]
    [InlineData("empty", "[]")]
    public async Task Event_types_we_do_not_send_are_unprocessable(string what, string eventTypes)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var response = await Send(client, HttpMethod.Post, "/webhook-endpoints",
            $"{{\"url\":\"{LoopbackUrl}\",\"event_types\":{eventTypes}}}", Guid.NewGuid().ToString());

        var problem = await AssertProblem(response, (HttpStatusCode)422, Unprocessable);
        AssertNamesField(problem, "event_types");
        Assert.Contains("event", problem.GetProperty("detail").GetString());
        Assert.True(await _api.Sql.Count("webhook_endpoints", $"user_id = '{user}'") == 0, what);
        Assert.Equal(0, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task A_change_is_checked_as_a_creation_is()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var id = await Create(client);

        using var unknownType = await Patch(client, id, new JsonObject { ["event_types"] = new JsonArray("payment.created") });
        using var badUrl = await Patch(client, id, new JsonObject { ["url"] = "ftp://127.0.0.1/" });
        using var nothing = await Patch(client, id, new JsonObject());
        using var nullUrl = await Patch(client, id, new JsonObject { ["url"] = null });

        AssertNamesField(await AssertProblem(unknownType, (HttpStatusCode)422, Unprocessable), "event_types");
        AssertNamesField(await AssertProblem(badUrl, (HttpStatusCode)422, Unprocessable), "url");
        await AssertValidationProblem(nothing, "body");
        await AssertValidationProblem(nullUrl, "url");
        Assert.Equal(1, await _api.Sql.Count("webhook_endpoints", $"id = '{id}' AND url = '{LoopbackUrl}' AND updated_at = created_at"));
    }

    [Theory]
    [InlineData("not JSON", "{\"url\":", HttpStatusCode.BadRequest, "malformed-json", null)]
    [InlineData("not an object", "[]", HttpStatusCode.BadRequest, "validation-error", "body")]
    [InlineData("url missing", "{\"event_types\":[\"payment.failed\"]}", HttpStatusCode.BadRequest, "validation-error", "url")]
    [InlineData("url a number", "{\"url\":5,\"event_types\":[\"payment.failed\"]}", HttpStatusCode.BadRequest, "validation-error", "url")]
    [InlineData("event_types a string", "{\"url\":\"https://a.example\",\"event_types\":\"payment.failed\"}", HttpStatusCode.BadRequest,
        "validation-error", "event_types")]
    [InlineData("unknown field", "{\"url\":\"https://a.example\",\"event_types\":[\"payment.failed\"],\"secret\":\"x\"}",
        HttpStatusCode.BadRequest, "validation-error", "secret")]
    [InlineData("relative url", "{\"url\":\"/hooks\",\"event_types\":[\"payment.failed\"]}", (HttpStatusCode)422, "unprocessable-content", "url")]
    [InlineData("userinfo", "{\"url\":\"http://me:pw@127.0.0.1/\",\"event_types\":[\"payment.failed\"]}", (HttpStatusCode)422,
        "unprocessable-content", "url")]
    public async Task Bad_bodies_are_refused_and_nothing_is_written(string what, string body, HttpStatusCode status, string type, string? field)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var response = await Send(client, HttpMethod.Post, "/webhook-endpoints", body, Guid.NewGuid().ToString());

        var problem = await AssertProblem(response, status, ProblemPrefix + type);
        if (field is not null)
            AssertNamesField(problem, field);
        Assert.True(await _api.Sql.Count("webhook_endpoints", $"user_id = '{user}'") == 0, what);
        Assert.Equal(0, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task Endpoints_are_listed_newest_first_a_page_at_a_time()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await Create(client));

        using var first = await client.GetAsync("/webhook-endpoints?limit=2");
        var firstPage = await PaymentRequests.Json(first);
        var cursor = firstPage.GetProperty("next_cursor").GetString();
        using var second = await client.GetAsync($"/webhook-endpoints?limit=2&cursor={cursor}");
        var secondPage = await PaymentRequests.Json(second);
        using var badCursor = await client.GetAsync("/webhook-endpoints?cursor=nope");

        var listed = firstPage.GetProperty("items").EnumerateArray().Concat(secondPage.GetProperty("items").EnumerateArray())
            .Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.Equal(Enumerable.Reverse(ids), listed);
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("next_cursor").ValueKind);
        await AssertValidationProblem(badCursor, "cursor");
    }

    static async Task<string> Create(HttpClient client)
    {
        using var created = await Post(client, Body(), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await PaymentRequests.Json(created)).GetProperty("id").GetString()!;
    }
}
