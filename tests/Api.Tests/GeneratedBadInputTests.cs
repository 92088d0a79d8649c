using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Api.Payments;
using Payments.TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Payments.Api.Tests;

/// <summary>
/// Property test for issue 5 ("Bad input"): thousands of generated malformed <c>POST /payments</c> requests, each
/// answered with a 4xx problem (never a 2xx, never a 5xx), and not one row or outbox message written by the lot.
/// </summary>
/// <remarks>
/// <para>Every generated request carries at least one defect that makes it invalid whatever else it contains
/// (see <see cref="BadRequests"/>): a generated request that the API accepts is a bug in this generator or in the
/// API, never an "allowed" outcome. The run is random; a failure prints CsCheck's seed and the shrunk request.
/// Reproduce with <c>CsCheck_Seed=&lt;seed&gt; dotnet test … --filter FullyQualifiedName~GeneratedBadInput</c>
/// (or pass <c>seed:</c> to <c>SampleAsync</c>); <c>CsCheck_Iter</c> is ignored, the count is fixed below.</para>
/// </remarks>
public class GeneratedBadInputTests(SharedApi shared, ITestOutputHelper output) : IClassFixture<SharedApi>
{
    const int Iterations = 2_000;
    const int Threads = 4;
    const string ProblemPrefix = ProblemAssertions.ProblemPrefix;

    /// <summary>What <c>POST /payments</c> documents for a bad request by an authenticated user.</summary>
    static readonly HashSet<int> BadInputStatuses = [400, 403, 413, 415];

    static readonly string[] Tables = ["payments", "idempotency_keys", "outbox_messages", "inbox_states", "payment_sagas"];

    [Fact]
    public async Task Generated_malformed_requests_get_a_4xx_problem_and_write_nothing()
    {
        var api = shared.Api;
        var rules = api.Services.GetRequiredService<IOptions<PaymentRules>>().Value;
        var user = Guid.NewGuid();
        var requests = new BadRequests(rules, user);
        using var client = api.ClientFor(user);

        var sent = new ConcurrentDictionary<string, BadRequest>(); // idempotency key → request, to name the culprit of a row
        var outcomes = new ConcurrentDictionary<string, int>();
        var count = 0;
        var watch = Stopwatch.StartNew();

        await Check.SampleAsync(requests.Any, async bad =>
        {
            Interlocked.Increment(ref count);
            foreach (var key in bad.Keys)
                sent.TryAdd(key, bad);
            using var request = bad.ToHttpRequest();
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            outcomes.AddOrUpdate($"{bad.Kind,-16} → {status}", 1, (_, n) => n + 1);

            if (status is < 400 or > 499)
                throw new XunitException($"expected a 4xx but got {status}: {Preview(body)}");
            if (!BadInputStatuses.Contains(status))
                throw new XunitException($"expected one of {string.Join("/", BadInputStatuses)} but got {status}: {Preview(body)}");
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                throw new XunitException($"{status} with content type '{response.Content.Headers.ContentType}', not application/problem+json: {Preview(body)}");
            JsonElement problem;
            try
            {
                problem = JsonDocument.Parse(body).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new XunitException($"{status} problem body is not JSON ({e.Message}): {Preview(body)}");
            }
            if (problem.ValueKind != JsonValueKind.Object
                || !problem.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !type.GetString()!.StartsWith(ProblemPrefix, StringComparison.Ordinal))
                throw new XunitException($"{status} problem has no type starting '{ProblemPrefix}': {Preview(body)}");
            if (!problem.TryGetProperty("status", out var problemStatus) || problemStatus.ValueKind != JsonValueKind.Number
                || problemStatus.GetInt32() != status)
                throw new XunitException($"problem status does not match the HTTP status {status}: {Preview(body)}");
            if (problem.TryGetProperty("exception", out _))
                throw new XunitException($"problem leaks an exception: {Preview(body)}");
        }, iter: Iterations, threads: Threads, print: bad => bad.ToString(), writeLine: output.WriteLine);

        output.WriteLine($"{count} requests (incl. any shrinking) in {watch.Elapsed.TotalSeconds:0.0} s");
        foreach (var (outcome, n) in outcomes.OrderBy(x => x.Key, StringComparer.Ordinal))
            output.WriteLine($"  {outcome}: {n}");
        Assert.True(count >= 1_000, $"only {count} requests were sent");

        var rows = new List<string>();
        foreach (var table in Tables)
            if (await api.Sql.Count(table) is var n and > 0)
                rows.Add($"{n} row(s) in {table}");
        if (rows.Count > 0)
        {
            var keys = await api.Sql.Query("SELECT key FROM idempotency_keys", r => r.GetString(0));
            var culprits = keys.Select(k => sent.TryGetValue(k, out var bad) ? $"key {k}: {bad}" : $"key {k}: (not sent by this test)");
            var payments = await api.Sql.Query("SELECT user_id, amount, currency, coalesce(description, '<null>') FROM payments",
                r => $"{r.GetGuid(0)} {r.GetInt64(1)} {r.GetString(2)} '{r.GetString(3)}'");
            Assert.Fail($"malformed requests wrote {string.Join(", ", rows)}\n" +
                $"payments: {string.Join("; ", payments)}\nrequests:\n{string.Join("\n", culprits)}");
        }
    }

    static string Preview(string s) => s.Length <= 600 ? s : s[..600] + $"… ({s.Length} chars)";

    /// <summary>One generated request: what it sends, and why it is invalid (<see cref="Why"/>, the defect that guarantees it).</summary>
    public sealed record BadRequest(string Kind, string Why, string[] Keys, string? ContentType, byte[] Body, bool Chunked)
    {
        public HttpRequestMessage ToHttpRequest()
        {
            HttpContent content = Chunked ? new UnsizedContent(Body) : new ByteArrayContent(Body);
            if (ContentType is not null)
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = content };
            foreach (var key in Keys)
                request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader.Name, key);
            return request;
        }

        public override string ToString() =>
            $"[{Kind}] {Why}\n  Idempotency-Key: {(Keys.Length == 0 ? "(none)" : string.Join(" | ", Keys.Select(k => Show(k, 80))))}" +
            $"\n  Content-Type: {(ContentType is null ? "(none)" : Show(ContentType, 120))}" +
            $"\n  Body ({Body.Length} bytes{(Chunked ? ", chunked" : "")}): {ShowBytes(Body)}";

        /// <summary>A C#-like literal: printable ASCII as is, everything else escaped, long values elided in the middle.</summary>
        static string Show(string s, int max)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in s.Length <= max ? s : s[..(max - 20)] + s[^20..])
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    >= ' ' and <= '~' => c.ToString(),
                    _ => $"\\u{(int)c:x4}",
                });
            return sb.Append('"').Append(s.Length > max ? $" ({s.Length} chars, middle elided)" : "").ToString();
        }

        static string ShowBytes(byte[] bytes)
        {
            const int Max = 700;
            if (Utf8.IsValid(bytes))
                return Show(Encoding.UTF8.GetString(bytes), Max);
            var sb = new StringBuilder("bytes \"");
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes.Length > Max && i == Max - 100)
                {
                    sb.Append("…");
                    i = bytes.Length - 100;
                }
                var b = bytes[i];
                sb.Append(b is >= 0x20 and <= 0x7E and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
            }
            return sb.Append('"').ToString();
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

    /// <summary>
    /// Generators of certainly invalid <c>POST /payments</c> requests for <paramref name="user"/> (who holds the token).
    /// </summary>
    /// <remarks>
    /// <para>Each request is assembled from parts, and at least one part is a <em>guaranteed defect</em>: a defect that
    /// makes the request invalid whatever the other parts are. The guarantee is structural, not statistical:</para>
    /// <list type="bullet">
    /// <item>Header defects (<see cref="BadKeys"/>, <see cref="BadContentType"/>) do not depend on the body at all.</item>
    /// <item>Field defects (<see cref="FieldDefect"/>) are applied <em>last</em> to the member list of a JSON object, so
    /// the random "noise" mutations applied before them cannot undo them; each one either removes a required field,
    /// replaces every member of that name with a bad value, or adds a member that is bad wherever it stands.</item>
    /// <item>Whole-body defects (<see cref="WholeBodyDefect"/>) are invalid whatever they wrap: the body is not a JSON
    /// object, not JSON, not UTF-8, nested too deep, or too large.</item>
    /// </list>
    /// <para>Validity rules come from the running API's <see cref="PaymentRules"/>, so a configuration change cannot turn
    /// a "too long" or "unsupported" value valid. Where a value is random, a <c>Where</c> filter states the property
    /// that makes it invalid (e.g. not a currency the API accepts), rather than trusting luck.</para>
    /// </remarks>
    public sealed class BadRequests
    {
        static readonly string[] KnownFields = ["user_id", "amount", "currency", "description", "metadata"];
        static readonly string[] RequiredFields = ["user_id", "amount", "currency"];

        readonly PaymentRules _rules;
        readonly Guid _user;

        public Gen<BadRequest> Any { get; }

        public BadRequests(PaymentRules rules, Guid user)
        {
            _rules = rules;
            _user = user;

            // ── Characters and text ────────────────────────────────────────────────────────────────────────────
            var ascii = Gen.Char[' ', '~'].Select(c => c.ToString());
            var bmp = Gen.Char['\u00A0', '\uD7FF'].Select(c => c.ToString()); // no surrogates, no controls
            var astral = Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32); // a proper surrogate pair
            var control = Gen.OneOf<string>(Gen.Char['\u0000', '\u001F'].Select(c => c.ToString()),
                Gen.Char['\u007F', '\u009F'].Select(c => c.ToString()));
            var loneSurrogate = Gen.Char['\uD800', '\uDFFF'].Select(c => c.ToString());
            // Text a valid request could carry: no control characters, no lone surrogates.
            CleanPiece = Gen.Frequency<string>((8, ascii), (3, bmp), (1, astral));
            Clean = CleanPiece.Array[0, 40].Select(string.Concat);
            // Anything: controls and lone surrogates too (Json escapes them; a lone surrogate becomes a lone \u escape).
            var anyPiece = Gen.Frequency<string>((8, ascii), (3, bmp), (1, astral), (1, control), (1, loneSurrogate));
            AnyText = anyPiece.Array[0, 40].Select(string.Concat);
            Alnum = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"];
            Digits = Gen.Char["0123456789"];

            // ── JSON values of any type (for fields that must not hold them, or that must not exist) ─────────────
            var scalar = Gen.OneOf<string>(
                AnyText.Select(Json),
                Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture)),
                Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
                Gen.OneOf("true", "false", "null", "\"\"", "0", "-0", "1e400"));
            AnyJson = Gen.Frequency<string>((6, scalar), (1, Gen.Int[1, 6].SelectMany(d => Nested(d, scalar))), (1, Gen.Const("{}")),
                (1, Gen.Const("[]")));

            // ── A valid body for the user (only ever sent together with a guaranteed defect elsewhere) ─────────────
            var validDescription = Gen.Frequency<Member?>(
                (2, Gen.Const((Member?)null)),
                (1, Gen.Const<Member?>(new Member("description", "\"description\":null"))),
                (4, Clean.Select(s => s.Length <= rules.MaxDescriptionLength ? s : s[..rules.MaxDescriptionLength])
                    .Where(s => !(s.Length > 0 && char.IsHighSurrogate(s[^1]))) // cutting a pair in two would leave a lone one
                    .Select(s => (Member?)M("description", Json(s)))));
            var validMetadata = Gen.Frequency<Member?>(
                (3, Gen.Const((Member?)null)),
                (1, Gen.Const<Member?>(new Member("metadata", "\"metadata\":null"))),
                (2, Gen.Select(Alnum.Array[1, Math.Min(12, rules.MaxMetadataKeyLength)].Select(a => new string(a)),
                        Clean.Select(s => s.Length <= Math.Min(40, rules.MaxMetadataValueLength) ? s : ""))
                    .Array[0, Math.Min(5, rules.MaxMetadataEntries)]
                    .Select(entries => entries.DistinctBy(e => e.Item1).Select(e => $"{Json(e.Item1)}:{Json(e.Item2)}"))
                    .Select(entries => (Member?)M("metadata", "{" + string.Join(",", entries) + "}"))));
            ValidObject = Gen.Select(
                Gen.Bool, // the API parses a UUID case-insensitively: upper-case is the same user
                Gen.Long[1, rules.MaxAmount],
                Gen.OneOf(rules.Currencies),
                validDescription,
                validMetadata,
                (upper, amount, currency, description, metadata) =>
                {
                    var members = new List<Member>
                    {
                        M("user_id", Json(upper ? user.ToString().ToUpperInvariant() : user.ToString())),
                        M("amount", amount.ToString(CultureInfo.InvariantCulture)),
                        M("currency", Json(currency)),
                    };
                    if (description is not null)
                        members.Add(description);
                    if (metadata is not null)
                        members.Add(metadata);
                    return members;
                });

            // ── Bodies ────────────────────────────────────────────────────────────────────────────────────────────
            var whitespace = Gen.OneOf("", "", " ", "\n", "\t ", "\r\n  ");
            var noise = Gen.Frequency<Mutation>((3, Shuffle()), (2, EscapeAName()), (2, FieldDefect()));
            var fieldDefectBody = Gen.Select(ValidObject, noise.Array[0, 2], FieldDefect(), whitespace, (members, noisy, defect, ws) =>
            {
                foreach (var n in noisy)
                    members = n.Apply(members);
                members = defect.Apply(members); // last, so nothing can undo it
                var why = defect.Why + (noisy.Length == 0 ? "" : $" (after noise: {string.Join("; ", noisy.Select(n => n.Why))})");
                return new Body("field", why, Utf8(Serialize(members, ws)), false);
            });
            var validBody = Gen.Select(ValidObject, whitespace, (members, ws) => new Body("valid", "", Utf8(Serialize(members, ws)), false));
            // The object a whole-body defect wraps: valid, or already bad (the wrapper's defect stands either way).
            var someObjectText = Gen.Frequency<string>((2, validBody.Select(b => Encoding.UTF8.GetString(b.Bytes))),
                (1, fieldDefectBody.Select(b => Encoding.UTF8.GetString(b.Bytes))));
            var badBody = Gen.Frequency<Body>((3, fieldDefectBody), (2, WholeBodyDefect(someObjectText)));
            var anyBody = Gen.Frequency<Body>((1, validBody), (1, badBody));

            // ── Requests ──────────────────────────────────────────────────────────────────────────────────────────
            Any = Gen.Frequency<BadRequest>(
                // The Idempotency-Key is bad: invalid whatever the content type and body (a valid body half of the time).
                (15, Gen.Select(BadKeys(), Gen.Frequency<string?>((4, ValidContentType()), (1, BadContentType())), anyBody,
                    (k, ct, b) => new BadRequest("idempotency-key", k.Why + (b.Kind == "valid" ? " (valid body)" : $" (and body: {b.Why})"),
                        k.Keys, ct, b.Bytes, b.Chunked))),
                // The Content-Type is not JSON in UTF-8: invalid whatever the body (a valid body half of the time).
                (10, Gen.Select(ValidKeys(), BadContentType(), anyBody,
                    (k, ct, b) => new BadRequest("content-type", $"content type {(ct is null ? "missing" : "not application/json in UTF-8")}" +
                        (b.Kind == "valid" ? " (valid body)" : $" (and body: {b.Why})"), k, ct, b.Bytes, b.Chunked))),
                // The body is bad: valid headers.
                (75, Gen.Select(ValidKeys(), ValidContentType(), badBody,
                    (k, ct, b) => new BadRequest(b.Kind, b.Why, k, ct, b.Bytes, b.Chunked))));
        }

        Gen<string> CleanPiece { get; }
        Gen<string> Clean { get; }
        Gen<string> AnyText { get; }
        Gen<char> Alnum { get; }
        Gen<char> Digits { get; }
        Gen<string> AnyJson { get; }
        Gen<List<Member>> ValidObject { get; }

        /// <summary>A member of a JSON object: its name (as the API reads it, unescaped) and its full text <c>"name":value</c>.</summary>
        public sealed record Member(string Name, string Text);

        /// <summary>An edit of an object's members, with what it does.</summary>
        public sealed record Mutation(string Why, Func<List<Member>, List<Member>> Apply);

        public sealed record Body(string Kind, string Why, byte[] Bytes, bool Chunked);

        // ── Headers ───────────────────────────────────────────────────────────────────────────────────────────────

        /// <summary>Keys the API accepts: one value of 1 to 255 visible ASCII characters, optionally quoted.</summary>
        Gen<string[]> ValidKeys() => Gen.Frequency<string>(
                (4, Gen.Guid.Select(g => g.ToString())),
                (2, Gen.Char['!', '~'].Where(c => c != '"').Array[1, IdempotencyKeyHeader.MaxLength].Select(a => new string(a))),
                (1, Gen.Guid.Select(g => $"\"{g}\"")))
            .Select(k => new[] { k });

        /// <summary>Idempotency-Key headers the API must refuse, each with the reason it is certainly invalid.</summary>
        Gen<(string Why, string[] Keys)> BadKeys()
        {
            var visible = Alnum.Array[1, 30].Select(a => new string(a));
            // Not visible ASCII: each is placed between two visible characters, so no header trimming can remove it.
            var badChar = Gen.OneOf<string>(
                Gen.OneOf(" ", "\t", "\u007F", "\u00A0", "é", "中", "😀", "\u200B"),
                Gen.Char['\u0001', '\u001F'].Where(c => c is not ('\r' or '\n')).Select(c => c.ToString()),
                Gen.Char['\u0080', '\uD7FF'].Select(c => c.ToString()));
            return Gen.Frequency<(string, string[])>(
                (3, Gen.Const(("no Idempotency-Key header", Array.Empty<string>()))),
                (1, Gen.Const(("Idempotency-Key empty once unquoted", new[] { "\"\"" }))),
                // Alphanumerics only, so it can't be shortened by the unquoting of "…".
                (2, Alnum.Array[IdempotencyKeyHeader.MaxLength + 1, IdempotencyKeyHeader.MaxLength + 300]
                    .Select(a => ($"Idempotency-Key of {a.Length} characters (> {IdempotencyKeyHeader.MaxLength})", new[] { new string(a) }))),
                (4, Gen.Select(visible, badChar, visible,
                    (a, c, b) => ($"Idempotency-Key with U+{(int)c[0]:X4} inside (not visible ASCII)", new[] { a + c + b }))),
                (2, Gen.Select(ValidKeys(), ValidKeys(), (a, b) => ("two Idempotency-Key headers", new[] { a[0], b[0] }))));
        }

        /// <summary>Content types the API reads as JSON in UTF-8.</summary>
        static Gen<string?> ValidContentType() => Gen.OneOf<string?>(
            "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON");

        /// <summary>Content types that are certainly not JSON in UTF-8: none, another media type, another charset, or junk.</summary>
        Gen<string?> BadContentType() => Gen.Frequency<string?>(
            (2, Gen.Const((string?)null)),
            (4, Gen.OneOf<string?>("text/plain", "text/plain; charset=utf-8", "text/json", "application/xml",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/problem+json",
                "application/merge-patch+json", "application/json-seq", "application/jsonp", "application/octet-stream",
                "application/*", "*/*", "json", "application", "application/json/x")),
            (2, Gen.OneOf("latin1", "iso-8859-1", "utf-16", "utf-16le", "utf-32", "us-ascii", "windows-1252", "\"\"")
                .Select(cs => (string?)$"application/json; charset={cs}")),
            // Starts with 'x', so no trimming or parsing can make it application/json.
            (2, Gen.Char[' ', '~'].Array[0, 40].Select(a => (string?)("x" + new string(a)))));

        // ── Field defects: each one alone makes the object invalid, whatever the other members are ──────────────

        Gen<Mutation> FieldDefect() => Gen.Frequency<Mutation>(
            (3, MissingRequired()), (4, BadAmount()), (3, BadCurrency()), (4, BadUserId()), (3, BadDescription()),
            (3, BadMetadata()), (2, UnknownField()), (2, DuplicateField()), (2, LoneSurrogateEscape()), (1, NestedField()));

        /// <summary>A required field absent or null: "is required".</summary>
        Gen<Mutation> MissingRequired() => Gen.Select(Gen.OneOf(RequiredFields), Gen.Bool, (field, drop) => drop
            ? new Mutation($"{field} missing", l => Without(l, field))
            : new Mutation($"{field} null", l => With(l, field, "null")));

        /// <summary>amount must be a plain JSON integer from 1 to MaxAmount.</summary>
        Gen<Mutation> BadAmount()
        {
            var max = _rules.MaxAmount;
            var raw = Gen.Frequency<(string Why, string Raw)>(
                (2, Gen.Long[long.MinValue, 0].Select(n => ("below 1", n.ToString(CultureInfo.InvariantCulture)))),
                (1, Gen.OneOf(("below 1", "-0"), ("below 1", "0"))),
                (2, Gen.Long[max == long.MaxValue ? max : max + 1, long.MaxValue].Where(n => n > max)
                    .Select(n => ("above the maximum", n.ToString(CultureInfo.InvariantCulture)))),
                // 20+ digits starting with 1-9: at least 10^19 > long.MaxValue (or below long.MinValue with a minus).
                (2, Gen.Select(Gen.OneOf("", "-"), Gen.Char['1', '9'], Digits.Array[19, 400],
                    (sign, first, rest) => ("overflows a long", sign + first + new string(rest)))),
                // A '.' or an exponent: not a plain integer, even when the value is whole.
                (2, Gen.Select(Gen.Long[0, max], Digits.Array[1, 12],
                    (whole, fraction) => ("has a fraction", $"{whole}.{new string(fraction)}"))),
                (1, Gen.Select(Gen.Int[1, 9], Gen.OneOf("e", "E"), Gen.OneOf("", "+", "-"), Gen.Int[0, 30],
                    (m, e, s, x) => ("has an exponent", $"{m}{e}{s}{x}"))),
                (2, Gen.Long[1, max].Select(n => ("a string, not a number", $"\"{n}\""))),
                (1, Gen.OneOf(("a boolean", "true"), ("a boolean", "false"), ("an array", "[1999]"), ("an object", "{\"value\":1999}"))),
                // Not JSON numbers at all: the body is malformed.
                (1, Gen.OneOf("+5", "0123", ".5", "5.", "0x10", "NaN", "Infinity", "-Infinity", "1_000", "１２３", "--1")
                    .Select(r => ("not a JSON number", r))));
            return raw.Select(a => new Mutation($"amount {a.Raw[..Math.Min(a.Raw.Length, 40)]}: {a.Why}", l => With(l, "amount", a.Raw)));
        }

        /// <summary>currency must be a string of three ASCII upper-case letters in the configured list.</summary>
        Gen<Mutation> BadCurrency()
        {
            var currencies = _rules.Currencies;
            var code = Gen.Frequency<(string Why, string Code)>(
                // A supported code with 1-7 (bit mask, never 0) of its letters lower-cased.
                (2, Gen.Select(Gen.OneOf(currencies), Gen.Int[1, 7], (c, mask) =>
                    ("not upper-case", new string(c.Select((ch, i) => (mask >> i & 1) == 1 ? char.ToLowerInvariant(ch) : ch).ToArray())))
                    .Where(x => !currencies.Contains(x.Item2))),
                (2, Gen.Char['A', 'Z'].Array[3].Select(a => new string(a)).Where(c => !currencies.Contains(c))
                    .Select(c => ("not a supported currency", c))),
                (2, Gen.OneOf<char[]>(Gen.Char['A', 'Z'].Array[0, 2], Gen.Char['A', 'Z'].Array[4, 12])
                    .Select(a => ("not three letters", new string(a)))),
                // One character replaced by something that is not an ASCII upper-case letter.
                (2, Gen.Select(Gen.OneOf(currencies), Gen.Int[0, 2], Gen.OneOf(" ", "0", "-", "$", "€", "Ü", "İ", "Ｕ", "\u0000", "\u00A0"),
                    (c, i, ch) => ("not three ASCII upper-case letters", c[..i] + ch + c[(i + 1)..]))),
                (1, AnyText.Where(t => !currencies.Contains(t)).Select(t => ("random text", t))));
            var raw = Gen.Frequency<(string Why, string Raw)>(
                (6, code.Select(c => (c.Why, Json(c.Code)))),
                (1, Gen.OneOf(("a number", "840"), ("a boolean", "true"), ("an array", "[\"USD\"]"), ("an object", "{\"code\":\"USD\"}"))));
            return raw.Select(c => new Mutation($"currency {Clip(c.Raw)}: {c.Why}", l => With(l, "currency", c.Raw)));
        }

        /// <summary>user_id must be the authenticated user's UUID in the 8-4-4-4-12 form (another user's: 403).</summary>
        Gen<Mutation> BadUserId()
        {
            var user = _user;
            bool IsTheUser(string s) => Guid.TryParseExact(s, "D", out var g) && g == user;
            var text = Gen.Frequency<(string Why, string Id)>(
                (1, Gen.Const(("the nil UUID", Guid.Empty.ToString()))),
                (3, Gen.Guid.Where(g => g != user && g != Guid.Empty).Select(g => ("another user's UUID (403)", g.ToString()))),
                (2, Gen.OneOf("N", "B", "P", "X").Select(f => ($"the user's UUID in format {f}", user.ToString(f)))),
                // The user's UUID with one character dropped, doubled or replaced.
                (2, Gen.Select(Gen.Int[0, 35], Gen.OneOf("", "x", "-", " ", "0", "{", "\u00A0"), (i, ins) =>
                    ("a mangled UUID", user.ToString()[..i] + ins + user.ToString()[(i + 1)..]))),
                (1, Gen.Select(Gen.OneOf(" ", "\t", "x", "\n", "{"), Gen.Bool, (pad, before) =>
                    ("a padded UUID", before ? pad + user : user + pad))),
                (1, AnyText.Select(t => ("random text", t))));
            var raw = Gen.Frequency<(string Why, string Raw)>(
                (6, text.Where(t => !IsTheUser(t.Id)).Select(t => (t.Why, Json(t.Id)))),
                (1, Gen.OneOf(("a number", "12345"), ("a boolean", "false"), ("an array", $"[\"{user}\"]"),
                    ("an object", $"{{\"id\":\"{user}\"}}"))));
            return raw.Select(u => new Mutation($"user_id {Clip(u.Raw)}: {u.Why}", l => With(l, "user_id", u.Raw)));
        }

        /// <summary>description, when present and not null, must be a string of at most MaxDescriptionLength UTF-16 units
        /// without control characters.</summary>
        Gen<Mutation> BadDescription()
        {
            var max = _rules.MaxDescriptionLength;
            var raw = Gen.Frequency<(string Why, string Raw)>(
                (2, Gen.OneOf<string>(Alnum.Select(c => c.ToString()), CleanPiece).Array[max + 1, max + 400].Select(string.Concat)
                    .Select(s => ($"{s.Length} UTF-16 units (> {max})", Json(s)))),
                // A control character (C0, DEL or C1), escaped (a validation error) or raw (C0 raw is not valid JSON).
                (3, Gen.Select(Clean, Gen.OneOf<char>(Gen.Char['\u0000', '\u001F'], Gen.Char['\u007F', '\u009F']), Clean, Gen.Bool,
                    (a, c, b, escaped) => ($"has control character U+{(int)c:X4} ({(escaped ? "escaped" : "raw")})",
                        escaped ? Json(a + c + b) : Json(a)[..^1] + c + Json(b)[1..]))),
                (1, Gen.OneOf(("a number", "42"), ("a boolean", "true"), ("an array", "[\"x\"]"), ("an object", "{\"text\":\"x\"}"))));
            return raw.Select(d => new Mutation($"description {Clip(d.Raw)}: {d.Why}", l => With(l, "description", d.Raw)));
        }

        /// <summary>metadata, when present and not null, must be an object of at most MaxMetadataEntries distinct keys
        /// (1 to MaxMetadataKeyLength characters, no controls) with string values of at most MaxMetadataValueLength.</summary>
        Gen<Mutation> BadMetadata()
        {
            var r = _rules;
            var okKey = Alnum.Array[1, Math.Min(10, r.MaxMetadataKeyLength)].Select(a => new string(a));
            var okValue = Clean.Select(s => s.Length <= r.MaxMetadataValueLength ? s : "");
            var raw = Gen.Frequency<(string Why, string Raw)>(
                (1, Gen.OneOf(("not an object", "\"order-7\""), ("not an object", "[\"a\",\"b\"]"), ("not an object", "42"),
                    ("not an object", "true"))),
                (2, Gen.Select(okKey, AnyJson.Where(j => !j.StartsWith('"')),
                    (k, v) => ($"value of '{k}' is not a string", $"{{{Json(k)}:{v}}}"))),
                (1, Gen.Int[r.MaxMetadataEntries + 1, r.MaxMetadataEntries + 15].Select(n =>
                    ($"{n} entries (> {r.MaxMetadataEntries})", "{" + string.Join(",", Enumerable.Range(1, n).Select(i => $"\"k{i}\":\"v\"")) + "}"))),
                (1, Alnum.Array[r.MaxMetadataKeyLength + 1, r.MaxMetadataKeyLength + 60].Select(a =>
                    ($"key of {a.Length} characters (> {r.MaxMetadataKeyLength})", $"{{{Json(new string(a))}:\"v\"}}"))),
                (1, Gen.Const(("empty key", "{\"\":\"v\"}"))),
                (1, Gen.Select(Alnum, Gen.Char['\u0000', '\u001F'], (a, c) => ($"key with control U+{(int)c:X4}", $"{{{Json($"{a}{c}")}:\"v\"}}"))),
                (1, Alnum.Array[r.MaxMetadataValueLength + 1, r.MaxMetadataValueLength + 200].Select(a =>
                    ($"value of {a.Length} characters (> {r.MaxMetadataValueLength})", $"{{\"note\":{Json(new string(a))}}}"))),
                // The second spelling may escape a letter: the API compares unescaped names.
                (1, Gen.Select(okKey, okValue, okValue, Gen.Bool, (k, v1, v2, escape) =>
                    ($"key '{k}' twice", $"{{{Json(k)}:{Json(v1)},{(escape ? EscapedName(k) : Json(k))}:{Json(v2)}}}"))));
            return raw.Select(m => new Mutation($"metadata {Clip(m.Raw)}: {m.Why}", l => With(l, "metadata", m.Raw)));
        }

        /// <summary>A member whose name is not one of the five fields (a renamed field, or anything): "is not a known field".</summary>
        Gen<Mutation> UnknownField()
        {
            var name = Gen.Frequency<string>(
                (2, Gen.OneOf("userId", "UserId", "user-id", "USER_ID", "user_id ", " amount", "Amount", "AMOUNT", "amount\u0000",
                    "currency_code", "Currency", "desc", "Description", "meta_data", "Metadata", "id", "status", "tip", "__proto__", "$type")),
                (2, AnyText));
            return Gen.Select(name.Where(n => !KnownFields.Contains(n)), AnyJson, Gen.OneOf<string?>(null, "user_id", "amount", "currency"),
                Gen.Int[0, 9],
                (n, value, renamed, at) => renamed is null
                    ? new Mutation($"unknown field {Json(n)}", l => Insert(l, at, M(n, value)))
                    : new Mutation($"{renamed} renamed to {Json(n)}", l => Insert(Without(l, renamed), at, M(n, value))));
        }

        /// <summary>A field given twice (two more members of that name, so at least two): "appears more than once".</summary>
        Gen<Mutation> DuplicateField() => Gen.Select(Gen.OneOf(KnownFields), AnyJson, AnyJson, Gen.Bool,
            (field, v1, v2, escape) => new Mutation($"{field} twice{(escape ? " (once with an escaped name)" : "")}",
                l => [.. l, M(field, v1), new Member(field, $"{(escape ? EscapedName(field) : Json(field))}:{v2}")]));

        /// <summary>A lone UTF-16 surrogate escape (no partner next to it) in a string or a name: not valid Unicode.</summary>
        Gen<Mutation> LoneSurrogateEscape()
        {
            // Clean text holds surrogates only as whole pairs (high then low), escaped by Json: the unit before the lone
            // escape is never a high surrogate and the one after it never a low one, so nothing can pair with it.
            var lone = Gen.Select(Clean, Gen.Int[0xD800, 0xDFFF], Gen.Bool, Clean,
                (a, unit, upper, b) => Json(a)[..^1] + "\\u" + unit.ToString(upper ? "X4" : "x4") + Json(b)[1..]);
            return Gen.Select(lone, Gen.Int[0, 5], (text, where) => where switch
            {
                0 => new Mutation($"description {Clip(text)}: lone surrogate", l => With(l, "description", text)),
                1 => new Mutation($"currency {Clip(text)}: lone surrogate", l => With(l, "currency", text)),
                2 => new Mutation($"user_id {Clip(text)}: lone surrogate", l => With(l, "user_id", text)),
                3 => new Mutation($"metadata value {Clip(text)}: lone surrogate", l => With(l, "metadata", $"{{\"k\":{text}}}")),
                4 => new Mutation($"metadata key {Clip(text)}: lone surrogate", l => With(l, "metadata", $"{{{text}:\"v\"}}")),
                _ => new Mutation($"member named {Clip(text)}: lone surrogate", l => [.. l, new Member("?", $"{text}:1")]),
            });
        }

        /// <summary>A field holding arrays/objects nested 1 to 120 deep: the wrong type for every field (metadata's value
        /// included), and beyond 16 levels not accepted by the parser at all.</summary>
        Gen<Mutation> NestedField() => Gen.Select(Gen.OneOf(KnownFields.Append("nested").ToArray()), Gen.Int[1, 120].SelectMany(d => Nested(d, AnyJson)),
            (field, value) => field == "metadata"
                ? new Mutation($"metadata holding a nested container ({Depth(value)} deep)", l => With(l, field, $"{{\"k\":{value}}}"))
                : new Mutation($"{field} a nested container ({Depth(value)} deep)", l => With(l, field, value)));

        // ── Noise: edits that may or may not be defects, applied before the guaranteed one ────────────────────────

        static Gen<Mutation> Shuffle() => Gen.Int.Array[10].Select(keys => new Mutation("members shuffled",
            l => l.Select((m, i) => (m, k: keys[i % keys.Length] ^ i)).OrderBy(x => x.k).Select(x => x.m).ToList()));

        /// <summary>A member's name with its first letter as a \u escape: the same name to the API.</summary>
        static Gen<Mutation> EscapeAName() => Gen.Int[0, 9].Select(at => new Mutation("a name escaped", l =>
        {
            if (l.Count == 0)
                return l;
            var m = l[at % l.Count];
            var name = Json(m.Name);
            if (m.Name.Length == 0 || !m.Text.StartsWith(name + ":", StringComparison.Ordinal))
                return l; // already spelled differently
            return [.. l.Select((x, i) => i == at % l.Count ? new Member(m.Name, EscapedName(m.Name) + m.Text[name.Length..]) : x)];
        }));

        // ── Whole-body defects: invalid whatever object they start from ───────────────────────────────────────────

        Gen<Body> WholeBodyDefect(Gen<string> objectText)
        {
            var limit = _rules.MaxBodyBytes;
            var bytesOf = objectText.Select(Utf8);
            return Gen.Frequency<Body>(
                // A proper prefix of an object's text (which ends with its closing '}') is never complete JSON.
                (4, bytesOf.SelectMany(b => Gen.Int[0, b.Length - 1].Select(n =>
                    new Body("truncated", $"cut at byte {n} of {b.Length}", b[..n], false)))),
                // Not JSON: the first byte cannot start a JSON object (not '{', whitespace or a BOM).
                (2, Gen.Select(Gen.Byte.Where(b => b is not ((byte)'{' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0xEF)),
                    Gen.Byte.Array[0, 600], (first, rest) => new Body("random bytes", $"random bytes starting 0x{first:x2}", [first, .. rest], false))),
                (2, Gen.Select(AnyText.Where(t => t.Length > 0 && t[0] is not ('{' or ' ' or '\t' or '\n' or '\r' or '\uFEFF')),
                    t => new Body("random text", "random text, not a JSON object", Utf8(t), false))),
                // JSON, but not an object.
                (2, Gen.Select(objectText, AnyJson, Gen.Int[0, 4], (o, v, kind) => kind switch
                {
                    0 => new Body("wrong root", "an array around the object", Utf8($"[{o}]"), false),
                    1 => new Body("wrong root", "two objects in an array", Utf8($"[{o},{o}]"), false),
                    2 => new Body("wrong root", "the object as a JSON string", Utf8(Json(o)), false),
                    _ => new Body("wrong root", "a scalar or array root", Utf8(v.StartsWith('{') ? "[]" : v), false),
                })),
                // Not UTF-8: a sequence no valid UTF-8 can contain, inserted anywhere (an extra continuation byte, a lead
                // byte without continuation, bytes never used, an encoded surrogate, an overlong form).
                (2, Gen.Select(bytesOf, Gen.Int[0, int.MaxValue], Gen.OneOf<byte[]>([0xFF], [0xFE], [0x80], [0xBF], [0xC3, 0x28], [0xC0, 0xAF],
                        [0xC1, 0xBF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82, 0x22]),
                    (b, at, bad) => new Body("invalid utf-8", $"{Convert.ToHexString(bad)} inserted at byte {at % (b.Length + 1)}",
                        [.. b[..(at % (b.Length + 1))], .. bad, .. b[(at % (b.Length + 1))..]], false))),
                // Syntax the API's JSON reader does not accept.
                (2, Gen.Select(objectText, Gen.Int[0, 6], AnyText, (o, kind, junk) => kind switch
                {
                    0 => new Body("syntax", "trailing comma", Utf8(o[..^1] + ",}"), false),
                    1 => new Body("syntax", "comment before the object", Utf8("/* hi */" + o), false),
                    2 => new Body("syntax", "single-quoted strings", Utf8(o.Replace('"', '\'')), false),
                    3 => new Body("syntax", "two objects", Utf8(o + o), false),
                    4 => new Body("syntax", "trailing junk", Utf8(o + "x" + junk), false),
                    5 => new Body("syntax", "unquoted names", Utf8(o.Replace("\"user_id\":", "user_id:")), false),
                    _ => new Body("syntax", "object closed twice", Utf8(o + "}"), false),
                })),
                // Nested deeper than the reader's limit of 16 around the object.
                (2, Gen.Select(objectText, Gen.Int[17, 3000], (o, d) =>
                    new Body("deep nesting", $"{d} arrays around the object", Utf8(new string('[', d) + o + new string(']', d)), false))),
                // Over the size limit: only the size is wrong (whitespace padding), or junk; with or without Content-Length.
                (2, Gen.Select(objectText, Gen.Int[limit + 1, limit * 3], Gen.Bool, Gen.Bool, (o, size, chunked, junk) =>
                {
                    var b = Utf8(o);
                    byte[] padded = junk
                        ? [.. b, .. Enumerable.Repeat((byte)'x', Math.Max(0, size - b.Length))]
                        : [.. b[..^1], .. Enumerable.Repeat((byte)' ', Math.Max(1, size - b.Length)), (byte)'}'];
                    return new Body("oversized", $"{padded.Length} bytes (> {limit}){(junk ? " of junk" : " of padded JSON")}", padded, chunked);
                })));
        }

        // ── Helpers ───────────────────────────────────────────────────────────────────────────────────────────────

        static Member M(string name, string valueJson) => new(name, $"{Json(name)}:{valueJson}");

        static List<Member> Without(List<Member> l, string name) => l.Where(m => m.Name != name).ToList();

        /// <summary>Every member called <paramref name="name"/> replaced by one holding <paramref name="valueJson"/>, where the first was.</summary>
        static List<Member> With(List<Member> l, string name, string valueJson)
        {
            var at = l.FindIndex(m => m.Name == name);
            return Insert(Without(l, name), at < 0 ? l.Count : at, M(name, valueJson));
        }

        static List<Member> Insert(List<Member> l, int at, Member m)
        {
            var copy = l.ToList();
            copy.Insert(Math.Clamp(at, 0, copy.Count), m);
            return copy;
        }

        static string Serialize(List<Member> members, string ws) => "{" + ws + string.Join(ws + "," + ws, members.Select(m => m.Text)) + ws + "}";

        /// <summary>A JSON string literal: quotes, backslashes, C0 controls and every surrogate unit escaped (so a lone
        /// surrogate in <paramref name="s"/> becomes a lone surrogate escape), the rest as is.</summary>
        static string Json(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in s)
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    < ' ' or (>= '\uD800' and <= '\uDFFF') => $"\\u{(int)c:x4}",
                    _ => c.ToString(),
                });
            return sb.Append('"').ToString();
        }

        /// <summary>A name as a JSON string with its first character as a \u escape.</summary>
        static string EscapedName(string name) => name.Length == 0 ? "\"\"" : $"\"\\u{(int)name[0]:x4}{Json(name[1..])[1..]}";

        static Gen<string> Nested(int depth, Gen<string> inner) => Gen.Select(inner, Gen.Int.Array[depth], (leaf, kinds) =>
        {
            var sb = new StringBuilder();
            foreach (var k in kinds)
                sb.Append((k & 1) == 0 ? "[" : "{\"a\":");
            sb.Append(leaf);
            for (var i = kinds.Length - 1; i >= 0; i--)
                sb.Append((kinds[i] & 1) == 0 ? ']' : '}');
            return sb.ToString();
        });

        static int Depth(string json) => json.TakeWhile(c => c is '[' or '{' or '"' or 'a' or ':').Count(c => c is '[' or '{');

        static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

        static string Clip(string s) => s.Length <= 40 ? s : s[..30] + $"…({s.Length})";
    }

}
