using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Payments.TestSupport;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests;

/// <summary><c>GET /payments</c>: newest first, keyset pagination, status filter, and 400 for bad query parameters.</summary>
public class ListPaymentsTests(SharedApi shared) : IClassFixture<SharedApi>
{
    readonly ApiFactory _api = shared.Api;

    [Fact]
    public async Task Lists_newest_first_and_limit_2_pages_walk_every_payment_once()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
            created.Add(await Create(client, user, 1000 + i));
        var newestFirst = Enumerable.Reverse(created).ToList();

        var all = await Page(client, "/payments");
        Assert.Equal(newestFirst, Ids(all));
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next_cursor").ValueKind);
        var createdAt = all.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("created_at").GetDateTimeOffset()).ToList();
        Assert.Equal(createdAt.OrderDescending(), createdAt);

        var walked = new List<Guid>();
        var pageSizes = new List<int>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10, "pagination does not end");
            var page = await Page(client, cursor is null ? "/payments?limit=2" : $"/payments?limit=2&cursor={Uri.EscapeDataString(cursor)}");
            var ids = Ids(page);
            pageSizes.Add(ids.Count);
            walked.AddRange(ids);
            var next = page.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null)
                break;
            cursor = next.GetString();
            Assert.False(string.IsNullOrEmpty(cursor));
        }

        Assert.Equal([2, 2, 1], pageSizes);
        Assert.Equal(newestFirst, walked); // same order, no duplicates, no gaps
    }

    [Fact]
    public async Task An_exact_multiple_of_the_limit_ends_with_an_empty_or_null_cursor_page()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var created = new List<Guid>();
        for (var i = 0; i < 4; i++)
            created.Add(await Create(client, user, 2000 + i));

        var first = await Page(client, "/payments?limit=2");
        var second = await Page(client, $"/payments?limit=2&cursor={Uri.EscapeDataString(first.GetProperty("next_cursor").GetString()!)}");
        var walked = Ids(first).Concat(Ids(second)).ToList();
        Assert.Equal(Enumerable.Reverse(created), walked);

        var next = second.GetProperty("next_cursor");
        if (next.ValueKind != JsonValueKind.Null)
            Assert.Empty(Ids(await Page(client, $"/payments?limit=2&cursor={Uri.EscapeDataString(next.GetString()!)}")));
    }

    [Fact]
    public async Task Status_filter_returns_only_that_status_also_across_pages()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var declined = new List<Guid>();
        var approved = new List<Guid>();
        foreach (var amount in new long[] { 1051, 1999, 2051, 3000, 3151 })
            (amount % 100 == 51 ? declined : approved).Add(await Create(client, user, amount));

        await Sql.WaitUntil(async () => await _api.Sql.Count("payments", $"user_id = '{user}' AND status = 'PENDING'") == 0,
            TimeSpan.FromSeconds(30), "payments to leave PENDING");

        var failed = await Page(client, "/payments?status=FAILED");
        Assert.Equal(Enumerable.Reverse(declined), Ids(failed));
        Assert.All(failed.GetProperty("items").EnumerateArray(), p => Assert.Equal("FAILED", p.GetProperty("status").GetString()));

        var succeeded = await Page(client, "/payments?status=SUCCESS");
        Assert.Equal(Enumerable.Reverse(approved), Ids(succeeded));

        Assert.Empty(Ids(await Page(client, "/payments?status=PENDING")));

        // Filter and cursor together: one FAILED payment per page.
        var walked = new List<Guid>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10, "pagination does not end");
            var page = await Page(client, "/payments?status=FAILED&limit=1" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            walked.AddRange(Ids(page));
            var next = page.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null)
                break;
            cursor = next.GetString();
        }
        Assert.Equal(Enumerable.Reverse(declined), walked);
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
        { "cursor=" + Base64Url.EncodeToString("not-a-cursor"u8), "cursor" },
        { "cursor=" + Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"abc.{SomeId}")), "cursor" },
        { "cursor=" + Base64Url.EncodeToString(Encoding.ASCII.GetBytes("1700000000000000.not-a-guid")), "cursor" },
        { "cursor=" + Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"900000000000000000.{SomeId}")), "cursor" },
        { "cursor=" + Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"-900000000000000000.{SomeId}")), "cursor" },
        { "status=pending", "status" },
        { "status=UNKNOWN", "status" },
        { "status=", "status" },
    };

    [Theory]
    [MemberData(nameof(InvalidQueries))]
    public async Task Invalid_query_parameters_get_400_naming_the_parameter(string query, string field)
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        using var response = await client.GetAsync("/payments?" + query);
        await ProblemAssertions.AssertValidationProblem(response, field);
    }

    [Fact]
    public async Task Every_invalid_parameter_is_named_at_once()
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        using var response = await client.GetAsync("/payments?limit=0&cursor=zzz!&status=nope");
        var problem = await ProblemAssertions.AssertProblem(response, HttpStatusCode.BadRequest, T.Validation);
        foreach (var field in new[] { "limit", "cursor", "status" })
            ProblemAssertions.AssertNamesField(problem, field);
    }

    static async Task<Guid> Create(HttpClient client, Guid user, long amount)
    {
        using var response = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();
    }

    static async Task<JsonElement> Page(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    static List<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
}
