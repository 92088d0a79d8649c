using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Pointer;
using Json.Schema;
using Payments.TestSupport;
using Xunit.Sdk;

namespace Payments.Api.Tests.OpenApi;

/// <summary>
/// The committed OpenAPI document (docs/openapi.json) as a contract: its schemas (JSON Schema 2020-12 in OpenAPI 3.1) are
/// evaluated with JsonSchema.Net, their <c>$ref</c>s resolved inside the document.
/// </summary>
public sealed class OpenApiContract
{
    public const string CommittedPath = "docs/openapi.json";
    static readonly Uri BaseUri = new("https://payments.test/openapi.json");

    static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    readonly BuildOptions _build;

    public JsonElement Document { get; }

    OpenApiContract(JsonElement document)
    {
        Document = document;
        var registry = new SchemaRegistry();
        registry.Register(BaseUri, new JsonElementBaseDocument(document, BaseUri));
        _build = new BuildOptions { SchemaRegistry = registry };
    }

    public static OpenApiContract Committed() => FromText(File.ReadAllText(Path.Combine(Repository.Root, CommittedPath)));

    public static OpenApiContract FromText(string json) => new(JsonDocument.Parse(json).RootElement.Clone());

    /// <summary>The same document changed by <paramref name="edit"/>: to show that a wrong document is caught.</summary>
    public OpenApiContract With(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(Document.GetRawText())!;
        edit(node);
        return FromText(node.ToJsonString());
    }

    public JsonElement Operation(string method, string path) =>
        Document.GetProperty("paths").TryGetProperty(path, out var item) && item.TryGetProperty(method.ToLowerInvariant(), out var operation)
            ? operation
            : throw new XunitException($"the document has no operation {method} {path}");

    /// <summary>The schema at <paramref name="pointer"/> (into the document), its references resolved.</summary>
    public JsonSchema SchemaAt(JsonPointer pointer) =>
        JsonSchema.FromText(new JsonObject { ["$ref"] = BaseUri + "#" + UriFragment(pointer) }.ToJsonString(), _build);

    /// <summary>A pointer as a URI fragment: its segments percent-encoded ('{', '}', '+' in paths and media types).</summary>
    static string UriFragment(JsonPointer pointer) => string.Join("/", pointer.ToString().Split('/').Select(Uri.EscapeDataString));

    /// <summary>The errors of <paramref name="instance"/> against the schema at <paramref name="pointer"/>; none when it is valid.</summary>
    public IReadOnlyList<string> Errors(JsonPointer pointer, JsonElement instance)
    {
        var results = SchemaAt(pointer).Evaluate(instance, Evaluation);
        if (results.IsValid)
            return [];
        return [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
            .DefaultIfEmpty("invalid")];
    }

    /// <summary>
    /// Asserts that a real response is what the document says <paramref name="method"/> <paramref name="path"/> answers:
    /// its status is declared with its content type, its body matches that schema, every required header is sent, and
    /// every header sent (but those of HTTP itself) is declared for this response and matches its schema.
    /// </summary>
    public async Task AssertConforms(HttpResponseMessage response, string method, string path)
    {
        var status = ((int)response.StatusCode).ToString();
        var body = await response.Content.ReadAsStringAsync();
        var what = $"{method} {path} → {status}";
        var responses = Operation(method, path).GetProperty("responses");
        if (!responses.TryGetProperty(status, out var declared))
            throw new XunitException($"{what}: the document does not declare {status} (declared: "
                                     + string.Join(", ", responses.EnumerateObject().Select(r => r.Name)) + $"): {body}");

        var contentType = response.Content.Headers.ContentType?.MediaType
                          ?? throw new XunitException($"{what}: the response has no Content-Type: {body}");
        if (!declared.TryGetProperty("content", out var content) || !content.TryGetProperty(contentType, out _))
            throw new XunitException($"{what}: the document does not declare the content type {contentType} for it: {body}");

        var pointer = JsonPointer.Create("paths", path, method.ToLowerInvariant(), "responses", status, "content", contentType, "schema");
        var instance = contentType.EndsWith("json", StringComparison.Ordinal)
            ? JsonDocument.Parse(body).RootElement
            : JsonSerializer.SerializeToElement(body);
        AssertNoErrors(what + " body", Errors(pointer, instance), body);

        var headers = declared.TryGetProperty("headers", out var h) ? h : default;
        foreach (var header in headers.ValueKind == JsonValueKind.Object ? headers.EnumerateObject() : default)
            if (header.Value.TryGetProperty("required", out var required) && required.GetBoolean() && Values(response, header.Name) is null)
                throw new XunitException($"{what}: the required header {header.Name} was not sent");

        foreach (var (name, sent) in response.Headers.Concat(response.Content.Headers)
                     .Where(x => !GeneralHeaders.Contains(x.Key)).Select(x => (x.Key, string.Join(", ", x.Value))))
        {
            if (headers.ValueKind != JsonValueKind.Object || !headers.TryGetProperty(name, out var header))
                throw new XunitException($"{what}: the header {name} was sent ({sent}) but is not declared for this response");
            var headerPointer = JsonPointer.Create("paths", path, method.ToLowerInvariant(), "responses", status, "headers", name, "schema");
            var integer = header.GetProperty("schema").TryGetProperty("type", out var type) && type.GetString() == "integer";
            var value = JsonDocument.Parse(integer && long.TryParse(sent, out var number) ? number.ToString() : JsonSerializer.Serialize(sent));
            AssertNoErrors($"{what} header {name}", Errors(headerPointer, value.RootElement), sent);
        }
    }

    /// <summary>Headers of HTTP itself, which the document does not list; any other header a response sends must be declared.</summary>
    static readonly HashSet<string> GeneralHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Server", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Cache-Control", "Pragma", "Expires", "Vary",
    };

    static string? Values(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    static void AssertNoErrors(string what, IReadOnlyList<string> errors, string instance)
    {
        if (errors.Count > 0)
            throw new XunitException($"{what} does not match the document:\n  {string.Join("\n  ", errors)}\n{instance}");
    }
}
