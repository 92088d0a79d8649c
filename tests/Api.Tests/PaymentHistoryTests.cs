using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Payments.TestSupport;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests;

/// <summary><c>GET /payments/{id}/events</c>: a payment's history, the owner's only, oldest first, keyset-paginated.</summary>
public class PaymentHistoryTests(PaymentHistoryTests.Api shared) : IClassFixture<PaymentHistoryTests.Api>
{
    readonly ApiFactory _api = shared.Factory;

    /// <summary>The all-in-one API with a charge timeout far beyond any test, so no attempt is re-sent on a busy machine.</summary>
    public sealed class Api : IAsyncLifetime
    {
        public ApiFactory Factory { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Factory = await ApiFactory.Start(new Dictionary<string, string?> { ["Payments:Saga:ChargeTimeout"] = "00:05:00" });

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    [Fact]
    public async Task A_successful_payment_reads_created_charge_requested_approved_succeeded_in_order_with_increasing_times()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var (id, createdAt) = await Create(client, user, 1999);
        await WaitTerminal(client, id);

        var page = await Page(client, $"/payments/{id}/events");

        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_cursor").ValueKind);
        var items = Items(page);
        Assert.Equal(["payment.created", "charge.requested", "charge.approved", "payment.succeeded"], items.Select(Type));
        Assert.Equal([null, 1, 1, null], items.Select(Attempt));
        Assert.All(items, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("detail").ValueKind));
        Assert.All(items, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("due_at").ValueKind));
        Assert.Equal(createdAt, OccurredAt(items[0]));
        var ids = items.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Created, sent and answered are three transactions one after the other; the success commits with the approval.
        var times = items.Select(OccurredAt).ToList();
        Assert.True(times[0] < times[1] && times[1] < times[2] && times[2] <= times[3], $"times out of order: {string.Join(", ", times)}");
    }

    [Fact]
    public async Task A_declined_payment_ends_failed_with_the_reason()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var (id, _) = await Create(client, user, 1051);
        await WaitTerminal(client, id);

        var items = Items(await Page(client, $"/payments/{id}/events"));

        Assert.Equal(["payment.created", "charge.requested", "charge.declined", "payment.failed"], items.Select(Type));
        Assert.Equal(1, Attempt(items[2]));
        Assert.Equal("insufficient funds", items[2].GetProperty("detail").GetString());
        Assert.Equal("declined: insufficient funds", items[3].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Another_users_payment_and_an_unknown_id_are_404_as_for_GET_payment()
    {
        var owner = Guid.NewGuid();
        using var ownerClient = _api.ClientFor(owner);
        var (id, _) = await Create(ownerClient, owner, 2000);
        using var other = _api.ClientFor(Guid.NewGuid());

        foreach (var target in new[] { id, Guid.NewGuid() })
        {
            using var events = await other.GetAsync($"/payments/{target}/events");
            using var payment = await other.GetAsync($"/payments/{target}");
            var problem = await ProblemAssertions.AssertProblem(events, HttpStatusCode.NotFound, T.NotFound);
            var paymentProblem = await ProblemAssertions.AssertProblem(payment, HttpStatusCode.NotFound, T.NotFound);
            Assert.Equal(paymentProblem.GetProperty("title").GetString(), problem.GetProperty("title").GetString());
            Assert.False(problem.TryGetProperty("errors", out _));
        }

        // The owner reads it.
        Assert.NotEmpty(Items(await Page(ownerClient, $"/payments/{id}/events")));
    }

    [Fact]
    public async Task Without_a_token_it_is_401()
    {
        using var client = _api.CreateClient();
        using var response = await client.GetAsync($"/payments/{Guid.NewGuid()}/events");
        await ProblemAssertions.AssertUnauthorized(response);
    }

    [Theory]
    [InlineData(1, new[] { 1, 1, 1, 1 })]
    [InlineData(2, new[] { 2, 2 })]
    [InlineData(3, new[] { 3, 1 })]
    [InlineData(4, new[] { 4 })]
    public async Task Pages_walk_the_history_oldest_first_each_entry_once(int limit, int[] pageSizes)
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var (id, _) = await Create(client, user, 3000 + limit);
        await WaitTerminal(client, id);
        var all = Items(await Page(client, $"/payments/{id}/events")).Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(4, all.Count);

        var walked = new List<long>();
        var sizes = new List<int>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10, "pagination does not end");
            var page = await Page(client, $"/payments/{id}/events?limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var ids = Items(page).Select(e => e.GetProperty("id").GetInt64()).ToList();
            sizes.Add(ids.Count);
            walked.AddRange(ids);
            var next = page.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null)
                break;
            cursor = next.GetString();
            Assert.False(string.IsNullOrEmpty(cursor));
        }

        Assert.Equal(pageSizes, sizes);
        Assert.Equal(all, walked); // same order, no duplicates, no gaps
    }

    const string SomeId = "0f8fad5bd9cb469fa16570867728950e";

    public static TheoryData<string, string> InvalidQueries() => new()
    {
        { "limit=0", "limit" },
        { "limit=101", "limit" },
        { "limit=abc", "limit" },
        { "limit=-1", "limit" },
        { "limit=1.5", "limit" },
        { "limit=", "limit" },
        { "cursor=not-a-cursor!!", "cursor" },
        { "cursor=", "cursor" },
        { "cursor=" + Base64Url.EncodeToString("not-a-cursor"u8), "cursor" },
        { "cursor=" + Base64Url.EncodeToString("0"u8), "cursor" },
        { "cursor=" + Base64Url.EncodeToString("-5"u8), "cursor" },
        { "cursor=" + Base64Url.EncodeToString("99999999999999999999"u8), "cursor" },
        // A cursor of GET /payments is not one of these.
        { "cursor=" + Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"1700000000000000.{SomeId}")), "cursor" },
    };

    [Theory]
    [MemberData(nameof(InvalidQueries))]
    public async Task Invalid_query_parameters_get_400_naming_the_parameter(string query, string field)
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        using var response = await client.GetAsync($"/payments/{Guid.NewGuid()}/events?{query}");
        await ProblemAssertions.AssertValidationProblem(response, field);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("12345")]
    public async Task A_non_uuid_id_is_400_naming_id(string id)
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        using var response = await client.GetAsync($"/payments/{id}/events");
        await ProblemAssertions.AssertValidationProblem(response, "id");
    }

    static async Task<(Guid Id, DateTimeOffset CreatedAt)> Create(HttpClient client, Guid user, long amount)
    {
        using var response = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var payment = await PaymentRequests.Json(response);
        return (payment.GetProperty("id").GetGuid(), payment.GetProperty("created_at").GetDateTimeOffset());
    }

    static Task WaitTerminal(HttpClient client, Guid id) =>
        Sql.WaitUntil(async () => (await Page(client, $"/payments/{id}")).GetProperty("status").GetString() != "PENDING",
            TimeSpan.FromSeconds(20), "the payment to leave PENDING");

    static async Task<JsonElement> Page(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    static int? Attempt(JsonElement e) => e.GetProperty("attempt").ValueKind == JsonValueKind.Null ? null : e.GetProperty("attempt").GetInt32();

    static DateTimeOffset OccurredAt(JsonElement e) => e.GetProperty("occurred_at").GetDateTimeOffset();
}
