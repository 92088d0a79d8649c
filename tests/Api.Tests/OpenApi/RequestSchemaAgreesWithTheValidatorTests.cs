using System.Net;
using System.Text.Json;
using Json.Pointer;
using Payments.Api.Payments;
using Payments.TestSupport;

namespace Payments.Api.Tests.OpenApi;

/// <summary>
/// The document's request constraints (body schema, Idempotency-Key) accept exactly what the API accepts, at every limit
/// of <see cref="PaymentRules"/>: each case is judged by the schema and by a real <c>POST /payments</c>, and the two agree.
/// </summary>
/// <remarks>
/// What JSON Schema cannot say is left out and said in the document's words instead: a number written 10.0 or 1e3 is an
/// integer to JSON Schema but refused by the API, and so is a field given twice.
/// </remarks>
public class RequestSchemaAgreesWithTheValidatorTests(SharedApi shared) : IClassFixture<SharedApi>
{
    static readonly Guid User = Guid.NewGuid();
    static readonly PaymentRules Rules = new();
    static readonly JsonPointer BodySchema = JsonPointer.Create("components", "schemas", "CreatePaymentRequest");
    static readonly JsonPointer KeySchema = JsonPointer.Create("paths", "/payments", "post", "parameters", 0, "schema");

    readonly OpenApiContract _contract = OpenApiContract.Committed();

    static readonly (string Name, string Body)[] Bodies =
    [
        ("minimal", Body()),
        ("amount 1", Body(("amount", "1"))),
        ("amount at the maximum", Body(("amount", Rules.MaxAmount.ToString()))),
        ("amount 0", Body(("amount", "0"))),
        ("amount negative", Body(("amount", "-5"))),
        ("amount above the maximum", Body(("amount", (Rules.MaxAmount + 1).ToString()))),
        ("amount fraction", Body(("amount", "10.5"))),
        ("amount string", Body(("amount", "\"100\""))),
        ("amount boolean", Body(("amount", "true"))),
        ("amount null", Body(("amount", "null"))),
        ("amount missing", Body(("amount", null))),
        .. Rules.Currencies.Select(c => ($"currency {c}", Body(("currency", $"\"{c}\"")))),
        ("currency lower case", Body(("currency", "\"usd\""))),
        ("currency not supported", Body(("currency", "\"XXX\""))),
        ("currency number", Body(("currency", "840"))),
        ("currency missing", Body(("currency", null))),
        ("user_id upper case", Body(("user_id", $"\"{User.ToString().ToUpperInvariant()}\""))),
        ("user_id without hyphens", Body(("user_id", $"\"{User:N}\""))),
        ("user_id in braces", Body(("user_id", $"\"{User:B}\""))),
        ("user_id nil", Body(("user_id", $"\"{Guid.Empty}\""))),
        ("user_id not a uuid", Body(("user_id", "\"me\""))),
        ("user_id null", Body(("user_id", "null"))),
        ("user_id missing", Body(("user_id", null))),
        ("description at the limit", Body(("description", Text(Rules.MaxDescriptionLength)))),
        ("description over the limit", Body(("description", Text(Rules.MaxDescriptionLength + 1)))),
        ("description null", Body(("description", "null"))),
        ("description non-ASCII", Body(("description", "\"Café ☕ 東京\""))),
        ("description with a C0 control", Body(("description", "\"a\\u0007b\""))),
        ("description with DEL", Body(("description", "\"a\\u007fb\""))),
        ("description with a C1 control", Body(("description", "\"a\\u0085b\""))),
        ("description number", Body(("description", "42"))),
        ("metadata empty", Body(("metadata", "{}"))),
        ("metadata null", Body(("metadata", "null"))),
        ("metadata at the entry limit", Body(("metadata", Metadata(Rules.MaxMetadataEntries)))),
        ("metadata over the entry limit", Body(("metadata", Metadata(Rules.MaxMetadataEntries + 1)))),
        ("metadata key at the limit", Body(("metadata", $"{{\"{new string('k', Rules.MaxMetadataKeyLength)}\":\"v\"}}"))),
        ("metadata key over the limit", Body(("metadata", $"{{\"{new string('k', Rules.MaxMetadataKeyLength + 1)}\":\"v\"}}"))),
        ("metadata key empty", Body(("metadata", "{\"\":\"v\"}"))),
        ("metadata key with a control", Body(("metadata", "{\"a\\u0001\":\"v\"}"))),
        ("metadata value at the limit", Body(("metadata", $"{{\"k\":{Text(Rules.MaxMetadataValueLength)}}}"))),
        ("metadata value over the limit", Body(("metadata", $"{{\"k\":{Text(Rules.MaxMetadataValueLength + 1)}}}"))),
        ("metadata value number", Body(("metadata", "{\"k\":7}"))),
        ("metadata array", Body(("metadata", "[\"a\"]"))),
        ("unknown field", Body(("tip", "100"))),
        ("array", "[]"),
        ("string", "\"pay\""),
        ("null", "null"),
    ];

    static readonly (string Name, string Key)[] Keys =
    [
        ("one character", "k"),
        ("a uuid", "5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"),
        ("at the limit", new string('k', 255)),
        ("over the limit", new string('k', 256)),
        ("quoted", "\"order-42\""),
        ("quoted, at the limit", "\"" + new string('q', 255) + "\""),
        ("quoted, over the limit", "\"" + new string('q', 256) + "\""),
        ("quoted empty", "\"\""),
        ("a lone quote", "\""),
        ("opening quote only", "\"abc"),
        ("with a space", "order 42"),
        ("non-ASCII", "clé"),
    ];

    public static TheoryData<string> BodyNames() => [.. Bodies.Select(b => b.Name)];
    public static TheoryData<string> KeyNames() => [.. Keys.Select(k => k.Name)];

    [Theory]
    [MemberData(nameof(BodyNames))]
    public async Task Request_body(string name)
    {
        var body = Bodies.Single(b => b.Name == name).Body;
        var schemaErrors = _contract.Errors(BodySchema, JsonDocument.Parse(body).RootElement);

        using var response = await PaymentRequests.PostRaw(shared.Api.ClientFor(User), body, Guid.NewGuid().ToString());

        AssertAgree(response, schemaErrors, body);
    }

    [Theory]
    [MemberData(nameof(KeyNames))]
    public async Task Idempotency_key(string name)
    {
        var key = Keys.Single(k => k.Name == name).Key;
        var schemaErrors = _contract.Errors(KeySchema, JsonSerializer.SerializeToElement(key));

        using var response = await PaymentRequests.PostRaw(shared.Api.ClientFor(User), Body(("amount", Random.Shared.Next(1, 1000).ToString())), key);

        AssertAgree(response, schemaErrors, key);
    }

    [Fact]
    public void The_key_schema_is_the_Idempotency_Key_parameter() =>
        Assert.Equal("Idempotency-Key", _contract.Document.GetProperty("paths").GetProperty("/payments").GetProperty("post")
            .GetProperty("parameters")[0].GetProperty("name").GetString());

    static void AssertAgree(HttpResponseMessage response, IReadOnlyList<string> schemaErrors, string input)
    {
        var accepted = response.StatusCode == HttpStatusCode.Created;
        Assert.True(accepted || response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {input}");
        Assert.True(accepted == (schemaErrors.Count == 0),
            accepted
                ? $"the API accepts what the document refuses ({string.Join("; ", schemaErrors)}): {input}"
                : $"the document accepts what the API refuses ({response.Content.ReadAsStringAsync().Result}): {input}");
    }

    /// <summary>A valid body for <see cref="User"/> as raw JSON, with fields replaced, added (raw JSON values) or removed (null).</summary>
    static string Body(params (string Name, string? Raw)[] changes)
    {
        var fields = new Dictionary<string, string?> { ["user_id"] = $"\"{User}\"", ["amount"] = "1999", ["currency"] = "\"USD\"" };
        foreach (var (name, raw) in changes)
            fields[name] = raw;
        return "{" + string.Join(",", fields.Where(f => f.Value is not null).Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    static string Text(int length) => "\"" + new string('x', length) + "\"";

    static string Metadata(int entries) => "{" + string.Join(",", Enumerable.Range(1, entries).Select(i => $"\"k{i}\":\"v\"")) + "}";
}
