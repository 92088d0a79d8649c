using System.Net;
using Payments.TestSupport;
using static Payments.Api.Tests.Refunds.RefundApi;

namespace Payments.Api.Tests.Refunds;

/// <summary>
/// Never more refunded than was charged, however many refunds arrive at once: the amount is reserved by one conditional
/// UPDATE (RefundReservation), and a failed refund's release makes it refundable again.
/// </summary>
public class RefundReservationRaceTests(RefundApi refunds) : IClassFixture<RefundApi>
{
    readonly ApiFactory _api = refunds.Api;

    [Fact]
    public async Task Fifty_parallel_refunds_of_a_tenth_accept_exactly_ten()
    {
        var user = Guid.NewGuid();
        var payment = await refunds.Payment(user, 10_000);
        using var client = _api.ClientFor(user);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var sending = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await start.Task;
            using var response = await Post(client, payment, Body(1_000), $"race-{i}");
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        })).ToList();
        start.SetResult();
        var answers = (await Task.WhenAll(sending)).ToList();

        var byStatus = answers.GroupBy(r => r.Item1).ToDictionary(g => g.Key, g => g.Count());
        var unexpected = answers.Where(r => r.Item1 is not (201 or 422)).Select(r => $"{r.Item1}: {r.Item2}").ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        Assert.Equal(10, byStatus.GetValueOrDefault(201));
        Assert.Equal(40, byStatus.GetValueOrDefault(422));
        Assert.All(answers.Where(r => r.Item1 == 422), r => Assert.Contains("refund-exceeds-remaining", r.Item2));
        Assert.Equal(new Written(10_000, 10, 10), await refunds.WrittenFor(payment));
        Assert.Equal(10_000, (await _api.Sql.Query($"SELECT sum(amount) FROM refunds WHERE payment_id = '{payment}'", r => r.GetInt64(0))).Single());
    }

    [Fact]
    public async Task Parallel_partial_and_whole_remainder_refunds_never_reserve_more_than_the_amount()
    {
        var user = Guid.NewGuid();
        var payment = await refunds.Payment(user, 1_000);
        using var client = _api.ClientFor(user);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var sending = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await start.Task;
            using var response = await Post(client, payment, i % 2 == 0 ? Body(100) : Body(), $"mixed-{i}");
            var body = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.StatusCode == HttpStatusCode.Created
                ? System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("amount").GetInt64()
                : 0, body);
        })).ToList();
        start.SetResult();
        var answers = await Task.WhenAll(sending);

        var unexpected = answers.Where(a => a.Item1 is not (201 or 422)).Select(a => $"{a.Item1}: {a.Item3}").ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        var accepted = answers.Where(a => a.Item1 == 201).Sum(a => a.Item2);
        Assert.InRange(accepted, 1, 1_000);
        var written = await refunds.WrittenFor(payment);
        Assert.Equal(accepted, written.Reserved);
        Assert.Equal(answers.Count(a => a.Item1 == 201), written.Refunds);
        Assert.Equal(accepted, (await _api.Sql.Query($"SELECT sum(amount) FROM refunds WHERE payment_id = '{payment}'", r => r.GetInt64(0))).Single());
    }

    [Fact]
    public async Task A_failed_refunds_released_amount_is_refundable_again()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000);
        using var whole = await Post(client, payment, Body(), Guid.NewGuid().ToString());
        var refundId = (await PaymentRequests.Json(whole)).GetProperty("id").GetGuid();
        using var refused = await Post(client, payment, Body(600), Guid.NewGuid().ToString());
        Assert.Equal((HttpStatusCode)422, refused.StatusCode);

        // What the refund saga does when the gateway refuses: the refund FAILED, its amount released, in one transaction.
        await _api.Sql.Execute($"""
            UPDATE refunds SET status = 'FAILED', failure_reason = 'declined', completed_at = now(), updated_at = now() WHERE id = '{refundId}';
            UPDATE payments SET refund_reserved = refund_reserved - 1000 WHERE id = '{payment}';
            """);
        using var again = await Post(client, payment, Body(600), Guid.NewGuid().ToString());
        using var rest = await Post(client, payment, Body(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        Assert.Equal(400, (await PaymentRequests.Json(rest)).GetProperty("amount").GetInt64());
        Assert.Equal(new Written(1000, 3, 3), await refunds.WrittenFor(payment));
    }
}
