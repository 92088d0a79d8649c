using System.Net;
using Npgsql;
using Payments.TestSupport;

namespace Payments.Api.Tests;

/// <summary>Exactly-once creation through HTTP: one payment per (user, Idempotency-Key), whatever the client retries.</summary>
public class IdempotencyTests : IAsyncLifetime
{
    ApiFactory _api = null!;

    // Delivery is off so the outbox rows stay countable; creation never depends on it.
    public async Task InitializeAsync() =>
        _api = await ApiFactory.Start(new Dictionary<string, string?> { ["Payments:Outbox:DeliveryEnabled"] = "false" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Same_key_and_same_body_replays_the_original_response()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);
        var body = PaymentRequests.Body(user, amount: 2500);

        var first = await PaymentRequests.Post(client, body, "order-1");
        var second = await PaymentRequests.Post(client, body, "order-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(1, await _api.Sql.Count("payments", $"user_id = '{user}'"));
        Assert.Equal(1, await _api.Sql.Count("outbox_messages", $"message_type LIKE '%PaymentRequested%' AND body LIKE '%{user}%'"));
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_rejected_and_changes_nothing()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);
        await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1000), "order-2");

        var response = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1001), "order-2");

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var problem = await PaymentRequests.Json(response);
        Assert.Equal("urn:payments:problem:idempotency-key-reused", problem.GetProperty("type").GetString());
        Assert.Equal(1, await _api.Sql.Count("payments", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task Keys_are_scoped_per_user()
    {
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();

        var a = await PaymentRequests.Post(_api.ClientFor(alice), PaymentRequests.Body(alice), "shared-key");
        var b = await PaymentRequests.Post(_api.ClientFor(bob), PaymentRequests.Body(bob), "shared-key");

        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.NotEqual(a.Headers.Location, b.Headers.Location);
    }

    [Fact]
    public async Task A_duplicate_while_the_first_is_in_flight_gets_409_with_retry_after()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);

        // Hold the claim the way an in-flight request's transaction does.
        await using (var connection = new NpgsqlConnection(_api.Sql.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var claim = new NpgsqlCommand(
                             $"SELECT pg_advisory_xact_lock(hashtextextended('{user}' || '/' || 'in-flight', 0))", connection, transaction))
                await claim.ExecuteNonQueryAsync();

            var response = await PaymentRequests.Post(client, PaymentRequests.Body(user), "in-flight");

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
            Assert.Equal("urn:payments:problem:request-in-progress", (await PaymentRequests.Json(response)).GetProperty("type").GetString());
            Assert.Equal(0, await _api.Sql.Count("payments", $"user_id = '{user}'"));
        }

        var afterwards = await PaymentRequests.Post(client, PaymentRequests.Body(user), "in-flight");
        Assert.Equal(HttpStatusCode.Created, afterwards.StatusCode);
    }

    [Fact]
    public async Task Fifty_parallel_requests_with_one_key_create_one_payment_and_one_message()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);
        var body = PaymentRequests.Body(user, amount: 4200);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => PaymentRequests.Post(client, body, "burst"))));

        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.NotEmpty(created);
        var bodies = await Task.WhenAll(created.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.Conflict), r => Assert.True(r.Headers.Contains("Retry-After")));

        Assert.Equal(1, await _api.Sql.Count("payments", $"user_id = '{user}'"));
        Assert.Equal(1, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}'"));
        Assert.Equal(1, await _api.Sql.Count("outbox_messages", $"body LIKE '%{user}%'"));
        Assert.Equal(1, await _api.Sql.Count("payment_events e JOIN payments p ON p.id = e.payment_id", $"p.user_id = '{user}'"));
    }

    [Fact]
    public async Task A_failure_after_the_insert_rolls_back_the_payment_and_its_message()
    {
        var user = Guid.NewGuid();
        // Make the outbox insert fail for this user only, after the payment row was written in the same transaction.
        await _api.Sql.Execute($"""
            CREATE FUNCTION fail_outbox_{user:N}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.body LIKE '%{user}%' THEN RAISE EXCEPTION 'simulated outbox failure'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER fail_outbox_{user:N} BEFORE INSERT ON outbox_messages
              FOR EACH ROW EXECUTE FUNCTION fail_outbox_{user:N}();
            """);
        try
        {
            var response = await PaymentRequests.Post(_api.ClientFor(user), PaymentRequests.Body(user), "doomed");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var problem = await PaymentRequests.Json(response);
            Assert.Equal("urn:payments:problem:internal-error", problem.GetProperty("type").GetString());
            Assert.DoesNotContain("simulated", await response.Content.ReadAsStringAsync());
            Assert.Equal(0, await _api.Sql.Count("payments", $"user_id = '{user}'"));
            Assert.Equal(0, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}'"));
            Assert.Equal(0, await _api.Sql.Count("outbox_messages", $"body LIKE '%{user}%'"));
            // Nor the first entry of its history: no entry describes a payment that does not exist.
            Assert.Equal(0, await _api.Sql.Count("payment_events e", "NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = e.payment_id)"));
        }
        finally
        {
            await _api.Sql.Execute($"DROP TRIGGER fail_outbox_{user:N} ON outbox_messages");
        }

        // The key was never claimed: the client's retry goes through.
        var retry = await PaymentRequests.Post(_api.ClientFor(user), PaymentRequests.Body(user), "doomed");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }
}
