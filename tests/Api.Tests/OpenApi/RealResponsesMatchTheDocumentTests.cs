using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Payments.TestSupport;

namespace Payments.Api.Tests.OpenApi;

/// <summary>
/// Real responses of the running API, one of each kind, against the committed document: status and content type declared
/// for the operation, body valid against the schema, headers declared and valid (<see cref="OpenApiContract.AssertConforms"/>).
/// </summary>
public class RealResponsesMatchTheDocumentTests(SharedApi shared) : IClassFixture<SharedApi>
{
    readonly ApiFactory _api = shared.Api;
    readonly OpenApiContract _contract = OpenApiContract.Committed();

    [Fact]
    public async Task Created_and_its_replay()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var key = Guid.NewGuid().ToString();

        using var created = await PaymentRequests.Post(client, FullBody(user), key);
        using var replayed = await PaymentRequests.Post(client, FullBody(user), key);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.True(replayed.Headers.Contains("Idempotent-Replayed"));
        await _contract.AssertConforms(created, "POST", "/payments");
        await _contract.AssertConforms(replayed, "POST", "/payments");
    }

    [Fact]
    public async Task Read_and_listed()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await PaymentRequests.Post(client, FullBody(user), Guid.NewGuid().ToString())).StatusCode);
        using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 2551, description: null), "declined");
        var id = (await PaymentRequests.Json(created)).GetProperty("id").GetString();

        using var one = await client.GetAsync($"/payments/{id}");
        using var firstPage = await client.GetAsync("/payments?limit=2");
        var cursor = (await PaymentRequests.Json(firstPage)).GetProperty("next_cursor").GetString();
        using var lastPage = await client.GetAsync($"/payments?limit=2&status=PENDING&cursor={cursor}");
        using var lastPageAnyStatus = await client.GetAsync($"/payments?limit=2&cursor={cursor}");

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        await _contract.AssertConforms(one, "GET", "/payments/{id}");
        await _contract.AssertConforms(firstPage, "GET", "/payments");
        await _contract.AssertConforms(lastPage, "GET", "/payments");
        await _contract.AssertConforms(lastPageAnyStatus, "GET", "/payments");
    }

    [Fact]
    public async Task A_finished_payment()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        // Declined by the fake gateway: FAILED, with a failure_reason and completed_at.
        var id = await DeclinedPayment(client, user);
        using var read = await client.GetAsync($"/payments/{id}");

        await _contract.AssertConforms(read, "GET", "/payments/{id}");
    }

    [Theory]
    [InlineData("validation error", "{\"user_id\":\"{user}\",\"amount\":0,\"currency\":\"usd\",\"tip\":1}", "key-1")]
    [InlineData("malformed JSON", "{\"user_id\":", "key-2")]
    [InlineData("missing Idempotency-Key", "{}", null)]
    [InlineData("invalid Idempotency-Key", "{}", "with space")]
    public async Task Bad_request_on_create(string what, string body, string? key)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var response = await PaymentRequests.PostRaw(client, body.Replace("{user}", user.ToString()), key);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, what);
        await _contract.AssertConforms(response, "POST", "/payments");
    }

    [Fact]
    public async Task Bad_requests_on_read_and_list()
    {
        using var client = _api.ClientFor(Guid.NewGuid());

        using var badId = await client.GetAsync("/payments/not-a-uuid");
        using var badQuery = await client.GetAsync("/payments?limit=0&status=DONE&cursor=nonsense");

        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        await _contract.AssertConforms(badId, "GET", "/payments/{id}");
        await _contract.AssertConforms(badQuery, "GET", "/payments");
    }

    [Fact]
    public async Task A_history_its_pages_and_its_problems()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        // Declined: failed with a detail on two of its four steps.
        var id = await DeclinedPayment(client, user);

        using var whole = await client.GetAsync($"/payments/{id}/events");
        using var firstPage = await client.GetAsync($"/payments/{id}/events?limit=3");
        var cursor = (await PaymentRequests.Json(firstPage)).GetProperty("next_cursor").GetString();
        using var lastPage = await client.GetAsync($"/payments/{id}/events?limit=3&cursor={cursor}");
        using var badQuery = await client.GetAsync($"/payments/{id}/events?limit=0&cursor=nonsense");
        using var badId = await client.GetAsync("/payments/not-a-uuid/events");
        using var notFound = await client.GetAsync($"/payments/{Guid.NewGuid()}/events");

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        foreach (var response in new[] { whole, firstPage, lastPage, badQuery, badId, notFound })
            await _contract.AssertConforms(response, "GET", "/payments/{id}/events");
    }

    [Theory]
    [InlineData("POST", "/payments", "/payments")]
    [InlineData("GET", "/payments", "/payments")]
    [InlineData("GET", "/payments/{id}", "/payments/0197a5f2-5c1d-7b3e-9a44-1c2d3e4f5a6b")]
    [InlineData("GET", "/payments/{id}/events", "/payments/0197a5f2-5c1d-7b3e-9a44-1c2d3e4f5a6b/events")]
    public async Task Unauthorized(string method, string path, string url)
    {
        using var client = _api.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await _contract.AssertConforms(response, method, path);
    }

    [Fact]
    public async Task Forbidden_not_found_unsupported_media_type_and_too_large()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);

        using var forbidden = await PaymentRequests.Post(client, PaymentRequests.Body(Guid.NewGuid()), Guid.NewGuid().ToString());
        using var notFound = await client.GetAsync($"/payments/{Guid.NewGuid()}");
        using var unsupported = await PaymentRequests.PostRaw(client, PaymentRequests.Body(user).ToJsonString(), "k-415", "text/plain");
        using var tooLarge = await PaymentRequests.PostRaw(client, PaymentRequests.Body(user, description: new string('x', 17_000)).ToJsonString(), "k-413");

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        await _contract.AssertConforms(forbidden, "POST", "/payments");
        await _contract.AssertConforms(notFound, "GET", "/payments/{id}");
        await _contract.AssertConforms(unsupported, "POST", "/payments");
        await _contract.AssertConforms(tooLarge, "POST", "/payments");
    }

    [Fact]
    public async Task Key_reused_with_another_body()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1000), "reused");

        using var response = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1001), "reused");

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        await _contract.AssertConforms(response, "POST", "/payments");
    }

    [Fact]
    public async Task Request_still_in_progress()
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

        using var response = await PaymentRequests.Post(client, PaymentRequests.Body(user), "in-flight");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        await _contract.AssertConforms(response, "POST", "/payments");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health(string path)
    {
        using var client = _api.CreateClient();

        // Readiness may say 503 while the database check exceeds its 2 s bound (a starved CI machine): a probe asks again,
        // and so does this test, bounded. Every answer, 503 included, must match the document.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            using var response = await client.GetAsync(path);
            await _contract.AssertConforms(response, "GET", path);
            status = response.StatusCode;
        } while (status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_document_without_a_property_the_API_sends_fails_the_check()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        using var created = await PaymentRequests.Post(client, FullBody(user), Guid.NewGuid().ToString());
        var wrong = _contract.With(document =>
        {
            var schema = document["components"]!["schemas"]!["PaymentResponse"]!.AsObject();
            schema["properties"]!.AsObject().Remove("failure_reason");
            var required = schema["required"]!.AsArray();
            required.Remove(required.Single(r => r!.GetValue<string>() == "failure_reason"));
        });

        var error = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => wrong.AssertConforms(created, "POST", "/payments"));
        Assert.Contains("failure_reason", error.Message);
    }

    static JsonObject FullBody(Guid user)
    {
        var body = PaymentRequests.Body(user);
        body["metadata"] = new JsonObject { ["order_id"] = "A-1042" };
        return body;
    }

    /// <summary>A payment the fake gateway declines (its amount ends in 51), once it is FAILED; its id.</summary>
    async Task<string?> DeclinedPayment(HttpClient client, Guid user)
    {
        using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 2551), Guid.NewGuid().ToString());
        var id = (await PaymentRequests.Json(created)).GetProperty("id").GetString();
        await Sql.WaitUntil(async () => await _api.Sql.Count("payments", $"id = '{id}' AND status = 'FAILED'") == 1, TimeSpan.FromSeconds(30),
            "the payment to fail");
        return id;
    }
}
