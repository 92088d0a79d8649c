using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Payments.TestSupport;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests;

/// <summary>
/// Malformed <c>POST /payments</c> requests: each gets its own 4xx problem (never a 5xx), and none writes a row.
/// </summary>
[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]
public class BadInputTests(SharedApi shared) : IClassFixture<SharedApi>
{
    static readonly Guid User = Guid.NewGuid();
    static readonly Guid OtherUser = Guid.NewGuid();
    readonly ApiFactory _api = shared.Api;

    /// <summary>A bad request: what it sends, and the status, problem type and (for 400 validation / field problems) the field named.</summary>
    /// <remarks>
    /// Cases that HttpClient cannot express (an empty header value is dropped between HttpRequestMessage and the test
    /// server) set <see cref="Raw"/> instead: it edits a valid request at the HttpContext level, as Kestrel would deliver it.
    /// </remarks>
    public sealed record BadCase(string Name, HttpStatusCode Status, string Type, string? Field, Func<Guid, HttpRequestMessage>? Build,
        Action<HttpRequest>? Raw = null);

    static readonly BadCase[] All =
    [
        // Not a JSON object at all.
        Bad("empty body", 400, T.MalformedJson, null, _ => Req("")),
        Bad("not JSON", 400, T.MalformedJson, null, _ => Req("user_id=1&amount=5")),
        Bad("JSON array", 400, T.Validation, "body", u => Req($"[{Obj(u)}]")),
        Bad("JSON null", 400, T.Validation, "body", _ => Req("null")),
        Bad("JSON string", 400, T.Validation, "body", _ => Req("\"pay me\"")),
        Bad("truncated JSON", 400, T.MalformedJson, null, u => Req(Obj(u)[..^12])),
        Bad("trailing comma", 400, T.MalformedJson, null, u => Req(Obj(u)[..^1] + ",}")),
        Bad("single quotes", 400, T.MalformedJson, null, u => Req(Obj(u).Replace('"', '\''))),
        Bad("comment in JSON", 400, T.MalformedJson, null, u => Req("/* hi */" + Obj(u))),
        Bad("nested deeper than 16", 400, T.MalformedJson, null,
            u => Req(Obj(u, ("metadata", string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "\"x\"" + new string('}', 20))))),
        Bad("invalid UTF-8 in a string", 400, T.MalformedJson, null,
            u => Req([.. Encoding.UTF8.GetBytes(Obj(u, ("description", "\"ab")))[..^1], 0xC3, 0x28, (byte)'"', (byte)'}'])),
        Bad("lone surrogate escape in description", 400, T.MalformedJson, null,
            u => Req(Obj(u, ("description", "\"\\ud800\"")))),

        // Required fields: missing or null.
        Bad("missing user_id", 400, T.Validation, "user_id", u => Req(Obj(u, ("user_id", null)))),
        Bad("missing amount", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", null)))),
        Bad("missing currency", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", null)))),
        Bad("null user_id", 400, T.Validation, "user_id", u => Req(Obj(u, ("user_id", "null")))),
        Bad("null amount", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "null")))),
        Bad("null currency", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", "null")))),
        Bad("empty object", 400, T.Validation, "amount", _ => Req("{}")),

        // amount
        Bad("amount 0", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "0")))),
        Bad("amount negative", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "-500")))),
        Bad("amount fractional 10.5", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "10.5")))),
        Bad("amount fractional 10.0", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "10.0")))),
        Bad("amount exponent 1e3", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "1e3")))),
        Bad("amount string", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "\"100\"")))),
        Bad("amount overflow", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "99999999999999999999")))),
        Bad("amount above max", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "100000001")))),
        Bad("amount boolean", 400, T.Validation, "amount", u => Req(Obj(u, ("amount", "true")))),

        // currency
        Bad("currency lowercase", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", "\"usd\"")))),
        Bad("currency unknown XXX", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", "\"XXX\"")))),
        Bad("currency 4 letters", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", "\"USDD\"")))),
        Bad("currency number", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", "840")))),
        Bad("currency empty", 400, T.Validation, "currency", u => Req(Obj(u, ("currency", "\"\"")))),

        // user_id
        Bad("user_id not a uuid", 400, T.Validation, "user_id", u => Req(Obj(u, ("user_id", "\"not-a-uuid\"")))),
        Bad("user_id nil uuid", 400, T.Validation, "user_id", u => Req(Obj(u, ("user_id", $"\"{Guid.Empty}\"")))),
        Bad("user_id number", 400, T.Validation, "user_id", u => Req(Obj(u, ("user_id", "12345")))),
        Bad("user_id without dashes", 400, T.Validation, "user_id", u => Req(Obj(u, ("user_id", $"\"{u:N}\"")))),
        Bad("user_id of another user", 403, T.Forbidden, "user_id", u => Req(Obj(u, ("user_id", $"\"{OtherUser}\"")))),

        // description
        Bad("description 256 chars", 400, T.Validation, "description", u => Req(Obj(u, ("description", $"\"{new string('d', 256)}\"")))),
        Bad("description not a string", 400, T.Validation, "description", u => Req(Obj(u, ("description", "42")))),
        Bad("description with control char", 400, T.Validation, "description", u => Req(Obj(u, ("description", "\"tab\\u0007bell\"")))),

        // metadata
        Bad("metadata not an object", 400, T.Validation, "metadata", u => Req(Obj(u, ("metadata", "[\"a\"]")))),
        Bad("metadata non-string value", 400, T.Validation, "metadata.order", u => Req(Obj(u, ("metadata", "{\"order\":7}")))),
        Bad("metadata 21 entries", 400, T.Validation, "metadata",
            u => Req(Obj(u, ("metadata", "{" + string.Join(",", Enumerable.Range(1, 21).Select(i => $"\"k{i}\":\"v\"")) + "}")))),
        Bad("metadata key 41 chars", 400, T.Validation, "metadata", u => Req(Obj(u, ("metadata", $"{{\"{new string('k', 41)}\":\"v\"}}")))),
        Bad("metadata empty key", 400, T.Validation, "metadata", u => Req(Obj(u, ("metadata", "{\"\":\"v\"}")))),
        Bad("metadata value 501 chars", 400, T.Validation, "metadata.note", u => Req(Obj(u, ("metadata", $"{{\"note\":\"{new string('v', 501)}\"}}")))),
        Bad("metadata duplicate key", 400, T.Validation, "metadata.a", u => Req(Obj(u, ("metadata", "{\"a\":\"1\",\"a\":\"2\"}")))),

        // Unknown and duplicate fields.
        Bad("unknown field", 400, T.Validation, "tip", u => Req(Obj(u, ("tip", "100")))),
        Bad("duplicate field", 400, T.Validation, "amount", u => Req(Obj(u)[..^1] + ",\"amount\":2}")),

        // Size.
        Bad("body over 16 KiB", 413, T.PayloadTooLarge, null, u => Req(Oversized(u))),
        Bad("body over 16 KiB without Content-Length", 413, T.PayloadTooLarge, null,
            u => Req(new UnsizedContent(Encoding.UTF8.GetBytes(Oversized(u))))),

        // Content-Type.
        Bad("content type text/plain", 415, T.UnsupportedMediaType, "Content-Type", u => Req(Obj(u), "text/plain")),
        Bad("content type application/xml", 415, T.UnsupportedMediaType, "Content-Type", u => Req(Obj(u), "application/xml")),
        Bad("no content type", 415, T.UnsupportedMediaType, "Content-Type", u => Req(Obj(u), contentType: null)),
        Bad("content type form", 415, T.UnsupportedMediaType, "Content-Type", u => Req(Obj(u), "application/x-www-form-urlencoded")),
        Bad("charset latin1", 415, T.UnsupportedMediaType, "Content-Type", u => Req(Obj(u), "application/json; charset=latin1")),

        // Idempotency-Key.
        Bad("missing Idempotency-Key", 400, T.MissingIdempotencyKey, "Idempotency-Key", u => Req(Obj(u), keys: [])),
        new("empty Idempotency-Key", HttpStatusCode.BadRequest, T.InvalidIdempotencyKey, "Idempotency-Key", null,
            Raw: r => r.Headers.Add(new KeyValuePair<string, StringValues>("Idempotency-Key", new StringValues("")))),
        Bad("quoted empty Idempotency-Key", 400, T.InvalidIdempotencyKey, "Idempotency-Key", u => Req(Obj(u), keys: ["\"\""])),
        Bad("Idempotency-Key of 256 chars", 400, T.InvalidIdempotencyKey, "Idempotency-Key", u => Req(Obj(u), keys: [new string('k', 256)])),
        Bad("Idempotency-Key with a space", 400, T.InvalidIdempotencyKey, "Idempotency-Key", u => Req(Obj(u), keys: ["order 42"])),
        Bad("Idempotency-Key non-ASCII", 400, T.InvalidIdempotencyKey, "Idempotency-Key", u => Req(Obj(u), keys: ["clé-42"])),
        Bad("two Idempotency-Key headers", 400, T.InvalidIdempotencyKey, "Idempotency-Key",
            u => Req(Obj(u), keys: [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()])),
    ];

    static readonly Dictionary<string, BadCase> ByName = All.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in All)
            data.Add(c.Name);
        return data;
    }

    [Fact]
    public void The_table_covers_at_least_35_cases() => Assert.True(All.Length >= 35, $"{All.Length} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Malformed_request_gets_its_problem_and_writes_nothing(string name)
    {
        var bad = ByName[name];
        using var client = _api.ClientFor(User);
        using var request = bad.Build?.Invoke(User);

        using var response = request is not null ? await client.SendAsync(request) : await SendRaw(bad.Raw!);

        var problem = await ProblemAssertions.AssertProblem(response, bad.Status, bad.Type);
        if (bad.Type == T.Validation)
            ProblemAssertions.AssertNamesField(problem, bad.Field!);
        else if (bad.Field is not null)
            Assert.Equal(bad.Field, problem.GetProperty("field").GetString());
        Assert.False(problem.TryGetProperty("exception", out _));
        await OpenApi.OpenApiContract.Committed().AssertConforms(response, "POST", "/payments");
        await AssertNothingWritten();
    }

    [Fact, RunLast]
    public async Task A_valid_request_after_all_the_bad_ones_is_created()
    {
        using var client = _api.ClientFor(User);
        await AssertNothingWritten();

        using var response = await PaymentRequests.PostRaw(client, Obj(User), Guid.NewGuid().ToString());

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(1, await _api.Sql.Count("payments", $"user_id = '{User}'"));
        Assert.Equal(1, await _api.Sql.Count("idempotency_keys", $"user_id = '{User}'"));
    }

    /// <summary>Sends a valid request, edited by <paramref name="edit"/>, straight to the test server's HttpContext.</summary>
    async Task<HttpResponseMessage> SendRaw(Action<HttpRequest> edit)
    {
        var body = Encoding.UTF8.GetBytes(Obj(User));
        var context = await _api.Server.SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = "/payments";
            c.Request.Headers.Authorization = "Bearer " + ApiFactory.TokenFor(User);
            c.Request.ContentType = "application/json";
            c.Request.ContentLength = body.Length;
            c.Request.Body = new MemoryStream(body);
            edit(c.Request);
        });
        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode)
        {
            Content = new StreamContent(context.Response.Body),
        };
        if (context.Response.ContentType is { } contentType)
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return response;
    }

    async Task AssertNothingWritten()
    {
        Assert.Equal(0, await _api.Sql.Count("payments"));
        Assert.Equal(0, await _api.Sql.Count("idempotency_keys"));
        Assert.Equal(0, await _api.Sql.Count("outbox_messages"));
    }

    static BadCase Bad(string name, int status, string type, string? field, Func<Guid, HttpRequestMessage> build) =>
        new(name, (HttpStatusCode)status, type, field, build);

    /// <summary>A valid body as raw JSON, with fields replaced, added (raw JSON values) or removed (null).</summary>
    static string Obj(Guid user, params (string Name, string? Raw)[] changes)
    {
        var fields = new List<(string Name, string Raw)>
        {
            ("user_id", $"\"{user}\""), ("amount", "1999"), ("currency", "\"USD\""), ("description", "\"Coffee beans\""),
        };
        foreach (var (name, raw) in changes)
        {
            var i = fields.FindIndex(f => f.Name == name);
            if (raw is null)
                fields.RemoveAt(i);
            else if (i >= 0)
                fields[i] = (name, raw);
            else
                fields.Add((name, raw));
        }
        return "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{f.Raw}")) + "}";
    }

    /// <summary>A valid payment padded with JSON whitespace to 16 KiB + 1 byte: only its size is wrong.</summary>
    static string Oversized(Guid user)
    {
        var body = Obj(user);
        return body[..^1] + new string(' ', 16 * 1024 + 1 - body.Length) + "}";
    }

    static HttpRequestMessage Req(string body, string? contentType = "application/json", string[]? keys = null) =>
        Req(new StringContent(body, Encoding.UTF8), contentType, keys);

    static HttpRequestMessage Req(byte[] body) => Req(new ByteArrayContent(body));

    static HttpRequestMessage Req(HttpContent content, string? contentType = "application/json", string[]? keys = null)
    {
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = content };
        foreach (var key in keys ?? [Guid.NewGuid().ToString()])
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    /// <summary>A body sent without Content-Length (chunked), so only the streaming limit can stop it.</summary>
    sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
