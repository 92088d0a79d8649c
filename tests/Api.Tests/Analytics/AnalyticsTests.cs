using System.Globalization;
using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Persistence.Analytics;
using Payments.Sagas;
using Payments.TestSupport;
using Payments.Workers.Analytics;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests.Analytics;

/// <summary>
/// The analytics facts (written by the transaction that finishes a payment or refund) and <c>GET /analytics/daily</c>: each
/// outcome counted once, exact percentiles, the caller's own
/// figures only, the range rules, and a rebuild from <c>payments</c> that finds nothing to change. A database of its own:
/// the rebuild and the comparison cover the whole table.
/// </summary>
public class AnalyticsTests : IAsyncLifetime
{
    static readonly DateOnly Day = new(2026, 3, 1);
    ApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await ApiFactory.Start();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_completion_run_again_counts_the_payment_once()
    {
        var user = Guid.NewGuid();
        var created = await PaymentRequests.Post(_api.ClientFor(user), PaymentRequests.Body(user, 1999), "an-once-1");
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        await Sql.WaitUntil(async () => await _api.Sql.Count("analytics_payment_outcomes", $"payment_id = '{paymentId}'") == 1,
            TimeSpan.FromSeconds(20), "the outcome to be recorded");
        var completedAt = (await _api.Sql.Query($"SELECT completed_at FROM payments WHERE id = '{paymentId}'", r => r.GetFieldValue<DateTimeOffset>(0)))[0];

        // The saga's completion again, as a redelivered or retried terminal transition would run it: twice, committed.
        for (var i = 0; i < 2; i++)
        {
            await using var scope = _api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            var saga = await db.PaymentSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == paymentId);
            await using var transaction = await db.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<IPaymentCompletion>().Complete(saga, PaymentStatus.Success, CancellationToken.None);
            await transaction.CommitAsync();
        }
        Assert.Equal(1, await _api.Sql.Count("analytics_payment_outcomes", $"payment_id = '{paymentId}'"));

        var today = DateOnly.FromDateTime(completedAt.UtcDateTime);
        var day = Assert.Single(await Days(user, today, today));
        Assert.Equal(1, day.GetProperty("succeeded").GetProperty("count").GetInt32());
        Assert.Equal(1999, day.GetProperty("succeeded").GetProperty("amount").GetInt64());
    }

    [Fact]
    public async Task Percentiles_are_exact_over_both_outcomes_of_each_day_and_currency()
    {
        var user = Guid.NewGuid();
        var end = new DateTimeOffset(Day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        // USD on the day: 1 to 10 seconds each; seven succeeded (100 each), three failed (51 each).
        for (var i = 1; i <= 10; i++)
            await Outcome(user, i <= 7, i <= 7 ? 100 : 51, "USD", end.AddSeconds(-i), end);
        await Outcome(user, true, 250, "EUR", end.AddSeconds(-2.5), end);
        // Just after midnight UTC the next day: not in a one-day range.
        await Outcome(user, true, 999, "USD", end.AddHours(12).AddSeconds(-1), end.AddHours(12).AddMilliseconds(1));
        await Sql.WaitUntil(async () => await _api.Sql.Count("analytics_payment_outcomes", $"user_id = '{user}'") == 12,
            TimeSpan.FromSeconds(20), "every outcome to be recorded");

        var days = await Days(user, Day, Day);

        Assert.Equal(["EUR", "USD"], days.Select(d => d.GetProperty("currency").GetString()));
        Assert.All(days, d => Assert.Equal("2026-03-01", d.GetProperty("date").GetString()));
        var usd = days[1];
        Assert.Equal((7, 700L), Totals(usd.GetProperty("succeeded")));
        Assert.Equal((3, 153L), Totals(usd.GetProperty("failed")));
        // percentile_cont over 1..10: 1 + 0.5 × 9 and 1 + 0.95 × 9.
        Assert.Equal((5.5, 9.55), Percentiles(usd));
        Assert.Equal((1, 250L), Totals(days[0].GetProperty("succeeded")));
        Assert.Equal((0, 0L), Totals(days[0].GetProperty("failed")));
        Assert.Equal((2.5, 2.5), Percentiles(days[0]));

        var both = await Days(user, Day, Day.AddDays(1));
        Assert.Equal(3, both.Count);
        Assert.Equal("2026-03-02", both[2].GetProperty("date").GetString());
    }

    [Fact]
    public async Task A_user_sees_only_their_own_figures()
    {
        var (owner, other) = (Guid.NewGuid(), Guid.NewGuid());
        var end = new DateTimeOffset(Day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
        await Outcome(owner, true, 500, "USD", end.AddSeconds(-1), end);
        await Sql.WaitUntil(async () => await _api.Sql.Count("analytics_payment_outcomes", $"user_id = '{owner}'") == 1,
            TimeSpan.FromSeconds(20), "the outcome to be recorded");

        Assert.Single(await Days(owner, Day, Day));
        Assert.Empty(await Days(other, Day, Day));
        using var anonymous = await _api.CreateClient().GetAsync("/analytics/daily?from=2026-03-01&to=2026-03-01");
        await ProblemAssertions.AssertProblem(anonymous, HttpStatusCode.Unauthorized, T.Unauthorized);
    }

    [Theory]
    [InlineData("from=2026-03-02&to=2026-03-01", "to")]
    [InlineData("from=2024-01-01&to=2025-01-01", "to")] // 367 days, both included
    [InlineData("from=2026-3-1&to=2026-03-01", "from")]
    [InlineData("from=2026-03-01T00:00:00Z&to=2026-03-01", "from")]
    [InlineData("from=2026-02-30&to=2026-03-01", "from")]
    [InlineData("from=2026-03-01&to=tomorrow", "to")]
    [InlineData("to=2026-03-01", "from")]
    [InlineData("from=2026-03-01", "to")]
    public async Task A_bad_range_is_a_400_naming_the_field(string query, string field)
    {
        using var response = await _api.ClientFor(Guid.NewGuid()).GetAsync($"/analytics/daily?{query}");

        var problem = await ProblemAssertions.AssertProblem(response, HttpStatusCode.BadRequest, T.Validation);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_range_of_366_days_is_accepted()
    {
        using var response = await _api.ClientFor(Guid.NewGuid()).GetAsync("/analytics/daily?from=2024-01-01&to=2024-12-31");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await PaymentRequests.Json(response);
        Assert.Equal(("2024-01-01", "2024-12-31"), (body.GetProperty("from").GetString(), body.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task After_payments_through_the_pipeline_a_rebuild_from_payments_gives_the_same_figures()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        // Amounts ending in 51 are declined by the fake gateway.
        long[] amounts = [1999, 2551, 500, 751, 12000, 3300, 4451, 800];
        for (var i = 0; i < amounts.Length; i++)
            Assert.Equal(HttpStatusCode.Created,
                (await PaymentRequests.Post(client, PaymentRequests.Body(user, amounts[i], i % 2 == 0 ? "USD" : "EUR"), $"an-rebuild-{i}")).StatusCode);
        await Sql.WaitUntil(async () => await _api.Sql.Count("analytics_payment_outcomes", $"user_id = '{user}'") == amounts.Length,
            TimeSpan.FromSeconds(30), "every outcome to be recorded");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (from, to) = (today.AddDays(-1), today.AddDays(1));
        var incremental = await Body(user, from, to);
        var declined = amounts.Count(a => a % 100 == 51);
        Assert.Equal(declined, JsonDocument.Parse(incremental).RootElement.GetProperty("days").EnumerateArray()
            .Sum(d => d.GetProperty("failed").GetProperty("count").GetInt32()));

        var output = new StringWriter();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Payments"] = _api.Sql.ConnectionString }).Build();
        Assert.Equal(0, await AnalyticsCommand.Run(["rebuild"], configuration, output));

        Assert.Contains("0 daily figures differed", output.ToString());
        Assert.Equal(incremental, await Body(user, from, to));
    }

    [Fact]
    public async Task Refunds_are_counted_once_on_the_day_they_finish_and_a_rebuild_agrees()
    {
        var user = Guid.NewGuid();
        var paid = new DateTimeOffset(Day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var payment = await Outcome(user, true, 10_000, "EUR", paid.AddSeconds(-1), paid);
        var nextDay = paid.AddDays(1);
        var refunded = await RefundOutcome(user, payment, true, 2_500, nextDay);
        var refusedByGateway = await RefundOutcome(user, payment, false, 1_000, nextDay);
        // The same outcome recorded again: the refund's row drops it.
        await RefundOutcome(user, payment, true, 2_500, nextDay, refunded);
        await Sql.WaitUntil(async () => await _api.Sql.Count("analytics_refund_outcomes", $"user_id = '{user}'") == 2,
            TimeSpan.FromSeconds(20), "both refund outcomes to be recorded");

        var days = await Days(user, Day, Day.AddDays(1));

        Assert.Equal(2, days.Count);
        Assert.Equal((0, 0L), Totals(days[0].GetProperty("refunded")));
        var refundDay = days[1];
        Assert.Equal("2026-03-02", refundDay.GetProperty("date").GetString());
        Assert.Equal((1, 2_500L), Totals(refundDay.GetProperty("refunded")));
        Assert.Equal((1, 1_000L), Totals(refundDay.GetProperty("refunds_failed")));
        Assert.Equal((0, 0L), Totals(refundDay.GetProperty("succeeded")));
        // No payment finished that day: no percentiles to give.
        Assert.Equal(JsonValueKind.Null, refundDay.GetProperty("seconds_to_terminal").ValueKind);
        Assert.NotEqual(refunded, refusedByGateway);

        var output = new StringWriter();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Payments"] = _api.Sql.ConnectionString }).Build();
        Assert.Equal(0, await AnalyticsCommand.Run(["rebuild", "--dry-run"], configuration, output));
        Assert.Contains("0 daily figures differ", output.ToString());
    }

    /// <summary>A finished refund as the refund saga leaves it (row and payment), and its outcome recorded.</summary>
    async Task<Guid> RefundOutcome(Guid user, Guid payment, bool succeeded, long amount, DateTimeOffset completedAt, Guid? republish = null)
    {
        var id = republish ?? NewId.NextGuid();
        var status = succeeded ? RefundStatus.Succeeded : RefundStatus.Failed;
        string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        if (republish is null)
            await _api.Sql.Execute(
                $"""
                 UPDATE payments SET refund_reserved = refund_reserved + {(succeeded ? amount : 0)},
                                     amount_refunded = amount_refunded + {(succeeded ? amount : 0)}
                  WHERE id = '{payment}';
                 INSERT INTO refunds (id, payment_id, user_id, amount, currency, status, created_at, updated_at, completed_at)
                 VALUES ('{id}', '{payment}', '{user}', {amount}, 'EUR', '{status}', '{Time(completedAt)}', '{Time(completedAt)}', '{Time(completedAt)}')
                 """);
        await using var scope = _api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PostgresPaymentOutcomeRecorder>().RecordRefund(id, payment, user, status, amount, "EUR",
            completedAt, CancellationToken.None);
        return id;
    }

    async Task<Guid> Outcome(Guid user, bool succeeded, long amount, string currency, DateTimeOffset createdAt, DateTimeOffset completedAt)
    {
        var id = NewId.NextGuid();
        var status = succeeded ? PaymentStatus.Success : PaymentStatus.Failed;
        string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        await _api.Sql.Execute(
            $"""
             INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at, completed_at)
             VALUES ('{id}', '{user}', {amount}, '{currency}', '{status}', '{Time(createdAt)}', '{Time(completedAt)}', '{Time(completedAt)}')
             """);
        await using var scope = _api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PostgresPaymentOutcomeRecorder>().Record(id, user, status, amount, currency, completedAt,
            CancellationToken.None);
        return id;
    }

    async Task<string> Body(Guid user, DateOnly from, DateOnly to)
    {
        using var response = await _api.ClientFor(user).GetAsync($"/analytics/daily?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    async Task<List<JsonElement>> Days(Guid user, DateOnly from, DateOnly to) =>
        [.. JsonDocument.Parse(await Body(user, from, to)).RootElement.GetProperty("days").EnumerateArray()];

    static (int, long) Totals(JsonElement totals) => (totals.GetProperty("count").GetInt32(), totals.GetProperty("amount").GetInt64());

    static (double, double) Percentiles(JsonElement day)
    {
        var seconds = day.GetProperty("seconds_to_terminal");
        return (seconds.GetProperty("p50").GetDouble(), seconds.GetProperty("p95").GetDouble());
    }
}
