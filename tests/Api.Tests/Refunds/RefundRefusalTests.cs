using System.Net;
using Payments.TestSupport;
using static Payments.Api.Tests.Refunds.RefundApi;

namespace Payments.Api.Tests.Refunds;

/// <summary>
/// Refused refunds: each answers a problem with a stable type naming the field, and writes nothing — no refund, no outbox
/// message, no idempotency key, the reservation as it was.
/// </summary>
public class RefundRefusalTests(RefundApi refunds) : IClassFixture<RefundApi>
{
    readonly ApiFactory _api = refunds.Api;

    [Theory]
    [InlineData("PENDING")]
    [InlineData("FAILED")]
    public async Task A_payment_that_is_not_SUCCESS_is_a_conflict(string status)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000, status);
        var keys = await refunds.KeysOf(user);

        using var response = await Post(client, payment, Body(100), Guid.NewGuid().ToString());
        using var whole = await Post(client, payment, Body(), Guid.NewGuid().ToString());

        foreach (var refused in new[] { response, whole })
        {
            var problem = await ProblemAssertions.AssertProblem(refused, HttpStatusCode.Conflict, "urn:payments:problem:payment-not-refundable");
            Assert.Equal(status, problem.GetProperty("payment_status").GetString());
        }
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
        Assert.Equal(keys, await refunds.KeysOf(user));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1001")]
    [InlineData("9223372036854775807")]
    public async Task An_amount_below_1_or_above_what_remains_is_unprocessable(string amount)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        var keys = await refunds.KeysOf(user);

        using var response = await PostRaw(client, payment.ToString(), $"{{\"amount\":{amount}}}", Guid.NewGuid().ToString());

        if (long.Parse(amount) < 1)
            ProblemAssertions.AssertNamesField(
                await ProblemAssertions.AssertProblem(response, (HttpStatusCode)422, "urn:payments:problem:unprocessable-content"), "amount");
        else
            Assert.Equal(1000, (await ProblemAssertions.AssertProblem(response, (HttpStatusCode)422,
                "urn:payments:problem:refund-exceeds-remaining")).GetProperty("remaining_refundable").GetInt64());
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
        Assert.Equal(keys, await refunds.KeysOf(user));
    }

    [Fact]
    public async Task Another_currency_than_the_payments_is_unprocessable()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        var keys = await refunds.KeysOf(user);

        using var partial = await Post(client, payment, Body(100, currency: "EUR"), Guid.NewGuid().ToString());
        using var whole = await Post(client, payment, Body(currency: "GBP"), Guid.NewGuid().ToString());

        foreach (var response in new[] { partial, whole })
            ProblemAssertions.AssertNamesField(
                await ProblemAssertions.AssertProblem(response, (HttpStatusCode)422, "urn:payments:problem:unprocessable-content"), "currency");
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
        Assert.Equal(keys, await refunds.KeysOf(user));
    }

    [Theory]
    [InlineData("{\"amount\":\"100\"}", "amount")]
    [InlineData("{\"amount\":10.5}", "amount")]
    [InlineData("{\"amount\":1e2}", "amount")]
    [InlineData("{\"amount\":99999999999999999999}", "amount")]
    [InlineData("{\"currency\":\"usd\"}", "currency")]
    [InlineData("{\"currency\":840}", "currency")]
    [InlineData("{\"reason\":7}", "reason")]
    [InlineData("{\"reason\":\"a\\u0000b\"}", "reason")]
    [InlineData("{\"tip\":1}", "tip")]
    [InlineData("{\"amount\":1,\"amount\":2}", "amount")]
    [InlineData("[]", "body")]
    public async Task Wrong_types_and_forms_are_a_validation_error_naming_the_field(string body, string field)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        var keys = await refunds.KeysOf(user);

        using var response = await PostRaw(client, payment.ToString(), body, Guid.NewGuid().ToString());

        await ProblemAssertions.AssertValidationProblem(response, field);
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
        Assert.Equal(keys, await refunds.KeysOf(user));
    }

    [Fact]
    public async Task A_reason_over_255_characters_is_a_validation_error()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);

        using var tooLong = await Post(client, payment, Body(100, new string('r', 256)), Guid.NewGuid().ToString());
        using var longest = await Post(client, payment, Body(100, new string('r', 255)), Guid.NewGuid().ToString());

        await ProblemAssertions.AssertValidationProblem(tooLong, "reason");
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
        Assert.Equal(new Written(100, 1, 1), await refunds.WrittenFor(payment));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_and_missing_headers_are_refused()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        var keys = await refunds.KeysOf(user);

        using var malformed = await PostRaw(client, payment.ToString(), "{\"amount\":", "k-malformed");
        using var empty = await PostRaw(client, payment.ToString(), "", "k-empty");
        using var text = await PostRaw(client, payment.ToString(), "{}", "k-text", "text/plain");
        using var noKey = await PostRaw(client, payment.ToString(), "{}", null);
        using var badId = await PostRaw(client, "not-a-uuid", "{}", "k-id");

        await ProblemAssertions.AssertProblem(malformed, HttpStatusCode.BadRequest, "urn:payments:problem:malformed-json");
        await ProblemAssertions.AssertProblem(empty, HttpStatusCode.BadRequest, "urn:payments:problem:malformed-json");
        await ProblemAssertions.AssertProblem(text, HttpStatusCode.UnsupportedMediaType, "urn:payments:problem:unsupported-media-type");
        await ProblemAssertions.AssertProblem(noKey, HttpStatusCode.BadRequest, "urn:payments:problem:missing-idempotency-key");
        await ProblemAssertions.AssertValidationProblem(badId, "id");
        Assert.Equal(new Written(0, 0, 0), await refunds.WrittenFor(payment));
        Assert.Equal(keys, await refunds.KeysOf(user));
    }

    [Fact]
    public async Task A_refused_request_leaves_its_key_free_for_the_corrected_one()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);

        using var refused = await Post(client, payment, Body(1001), "refund-1");
        using var corrected = await Post(client, payment, Body(1000), "refund-1");

        Assert.Equal((HttpStatusCode)422, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
    }
}
