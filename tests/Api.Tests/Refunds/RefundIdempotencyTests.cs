using System.Net;
using Npgsql;
using Payments.TestSupport;
using static Payments.Api.Tests.Refunds.RefundApi;

namespace Payments.Api.Tests.Refunds;

/// <summary>Refunds take the Idempotency-Key as payments do: one refund per (user, key), keys shared with every create operation.</summary>
public class RefundIdempotencyTests(RefundApi refunds) : IClassFixture<RefundApi>
{
    readonly ApiFactory _api = refunds.Api;

    [Fact]
    public async Task Same_key_and_body_replay_the_first_answer_and_create_nothing()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);

        using var first = await Post(client, payment, Body(400, "Late"), "refund-a");
        using var again = await Post(client, payment, Body(400, "Late"), "refund-a");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", Assert.Single(again.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(new Written(400, 1, 1), await refunds.WrittenFor(payment));
    }

    [Fact]
    public async Task A_replay_of_a_whole_refund_answers_the_first_even_with_nothing_left()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);

        using var first = await Post(client, payment, Body(), "refund-all");
        using var again = await Post(client, payment, Body(), "refund-all");

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(new Written(1000, 1, 1), await refunds.WrittenFor(payment));
    }

    [Fact]
    public async Task Same_key_with_another_body_or_payment_is_refused_and_changes_nothing()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        var other = await refunds.Payment(user, 1000);
        await Post(client, payment, Body(100), "refund-b");

        using var otherAmount = await Post(client, payment, Body(101), "refund-b");
        using var otherReason = await Post(client, payment, Body(100, "changed my mind"), "refund-b");
        using var otherPayment = await Post(client, other, Body(100), "refund-b");

        foreach (var response in new[] { otherAmount, otherReason, otherPayment })
            await ProblemAssertions.AssertProblem(response, (HttpStatusCode)422, "urn:payments:problem:idempotency-key-reused");
        Assert.Equal(new Written(100, 1, 1), await refunds.WrittenFor(payment));
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(other));
    }

    [Fact]
    public async Task A_payments_key_does_not_replay_as_a_refund()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, 1000), "shared-create-key");

        using var refund = await Post(client, payment, Body(100), "shared-create-key");

        await ProblemAssertions.AssertProblem(refund, (HttpStatusCode)422, "urn:payments:problem:idempotency-key-reused");
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
    }

    [Fact]
    public async Task Keys_are_per_user()
    {
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var alicePayment = await refunds.Payment(alice, 1000);
        var bobPayment = await refunds.Payment(bob, 1000);

        using var a = await Post(_api.ClientFor(alice), alicePayment, Body(100), "same-key");
        using var b = await Post(_api.ClientFor(bob), bobPayment, Body(100), "same-key");

        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.Equal(new Written(100, 1, 1), await refunds.WrittenFor(alicePayment));
        Assert.Equal(new Written(100, 1, 1), await refunds.WrittenFor(bobPayment));
    }

    [Fact]
    public async Task A_duplicate_while_the_first_is_in_flight_is_a_conflict()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        // Hold the key's claim the way an in-flight request's transaction does (as IdempotencyTests).
        await using var connection = new NpgsqlConnection(_api.Sql.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var claim = new NpgsqlCommand(
                         $"SELECT pg_advisory_xact_lock(hashtextextended('{user}' || '/' || 'in-flight', 0))", connection, transaction))
            await claim.ExecuteNonQueryAsync();

        using var response = await Post(client, payment, Body(100), "in-flight");

        await ProblemAssertions.AssertProblem(response, HttpStatusCode.Conflict, "urn:payments:problem:request-in-progress");
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
    }
}
