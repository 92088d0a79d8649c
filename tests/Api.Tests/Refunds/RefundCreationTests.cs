using System.Net;
using Payments.TestSupport;
using static Payments.Api.Tests.Refunds.RefundApi;

namespace Payments.Api.Tests.Refunds;

/// <summary><c>POST /payments/{id}/refunds</c> accepted: partial refunds up to the payment's amount, and the reads that show them.</summary>
public class RefundCreationTests(RefundApi refunds) : IClassFixture<RefundApi>
{
    readonly ApiFactory _api = refunds.Api;

    [Fact]
    public async Task A_partial_refund_a_second_for_the_rest_and_a_third_refused_naming_nothing_left()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1999);

        using var first = await Post(client, payment, Body(500, "Damaged in transit"), Guid.NewGuid().ToString());
        using var second = await Post(client, payment, Body(1499), Guid.NewGuid().ToString());
        using var third = await Post(client, payment, Body(1), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var refund = await PaymentRequests.Json(first);
        Assert.Equal($"/refunds/{refund.GetProperty("id").GetGuid()}", first.Headers.Location?.OriginalString);
        Assert.Equal(payment, refund.GetProperty("payment_id").GetGuid());
        Assert.Equal(500, refund.GetProperty("amount").GetInt64());
        Assert.Equal("USD", refund.GetProperty("currency").GetString());
        Assert.Equal("PENDING", refund.GetProperty("status").GetString());
        Assert.Equal("Damaged in transit", refund.GetProperty("reason").GetString());
        Assert.True(refund.TryGetProperty("created_at", out _));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(1499, (await PaymentRequests.Json(second)).GetProperty("amount").GetInt64());

        var problem = await ProblemAssertions.AssertProblem(third, (HttpStatusCode)422, "urn:payments:problem:refund-exceeds-remaining");
        Assert.Equal(0, problem.GetProperty("remaining_refundable").GetInt64());
        Assert.Equal("amount", problem.GetProperty("field").GetString());
        Assert.Contains("At most 0", problem.GetProperty("detail").GetString());
        Assert.Equal(new Written(1999, 2, 2), await refunds.WrittenFor(payment));
    }

    [Fact]
    public async Task Without_an_amount_the_whole_remainder_is_refunded()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        await Post(client, payment, Body(300), Guid.NewGuid().ToString());

        using var rest = await Post(client, payment, Body(), Guid.NewGuid().ToString());
        using var nothingLeft = await Post(client, payment, Body(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        Assert.Equal(700, (await PaymentRequests.Json(rest)).GetProperty("amount").GetInt64());
        var problem = await ProblemAssertions.AssertProblem(nothingLeft, (HttpStatusCode)422, "urn:payments:problem:refund-exceeds-remaining");
        Assert.Equal(0, problem.GetProperty("remaining_refundable").GetInt64());
        Assert.Equal(new Written(1000, 2, 2), await refunds.WrittenFor(payment));
    }

    [Fact]
    public async Task The_payments_currency_may_be_named()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000, currency: "EUR");

        using var response = await Post(client, payment, Body(100, currency: "EUR"), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("EUR", (await PaymentRequests.Json(response)).GetProperty("currency").GetString());
    }

    [Fact]
    public async Task The_refunds_are_read_back_oldest_first_and_the_payment_shows_what_succeeded()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        using var first = await Post(client, payment, Body(100), Guid.NewGuid().ToString());
        using var second = await Post(client, payment, Body(200), Guid.NewGuid().ToString());
        var firstId = (await PaymentRequests.Json(first)).GetProperty("id").GetGuid();
        var secondId = (await PaymentRequests.Json(second)).GetProperty("id").GetGuid();
        // What the refund saga does when the gateway gave the money back.
        await _api.Sql.Execute($"""
            UPDATE refunds SET status = 'SUCCEEDED', completed_at = now(), updated_at = now() WHERE id = '{firstId}';
            UPDATE payments SET amount_refunded = amount_refunded + 100 WHERE id = '{payment}';
            """);

        using var list = await client.GetAsync($"/payments/{payment}/refunds");
        using var one = await client.GetAsync($"/refunds/{firstId}");
        using var read = await client.GetAsync($"/payments/{payment}");

        var items = (await PaymentRequests.Json(list)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(new[] { firstId, secondId }, items.Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(new[] { "SUCCEEDED", "PENDING" }, items.Select(i => i.GetProperty("status").GetString()));
        var refund = await PaymentRequests.Json(one);
        Assert.Equal("SUCCEEDED", refund.GetProperty("status").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, refund.GetProperty("completed_at").ValueKind);
        var paid = await PaymentRequests.Json(read);
        Assert.Equal(100, paid.GetProperty("amount_refunded").GetInt64());
        Assert.Equal("SUCCESS", paid.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Another_users_payment_and_refund_are_not_found()
    {
        var owner = Guid.NewGuid();
        var stranger = Guid.NewGuid();
        var payment = await refunds.Payment(owner, 1000);
        using var ownerClient = _api.ClientFor(owner);
        using var created = await Post(ownerClient, payment, Body(100), Guid.NewGuid().ToString());
        var refundId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        using var client = _api.ClientFor(stranger);

        using var post = await Post(client, payment, Body(100), Guid.NewGuid().ToString());
        using var unknown = await Post(client, Guid.NewGuid(), Body(100), Guid.NewGuid().ToString());
        using var list = await client.GetAsync($"/payments/{payment}/refunds");
        using var one = await client.GetAsync($"/refunds/{refundId}");
        using var missing = await client.GetAsync($"/refunds/{Guid.NewGuid()}");

        foreach (var response in new[] { post, unknown, list, one, missing })
            await ProblemAssertions.AssertProblem(response, HttpStatusCode.NotFound, "urn:payments:problem:not-found");
        Assert.Equal(new Written(100, 1, 1), await refunds.WrittenFor(payment));
        Assert.Equal(0, await refunds.KeysOf(stranger));
    }
}
