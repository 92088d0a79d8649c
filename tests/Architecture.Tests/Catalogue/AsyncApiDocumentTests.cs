using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Contracts;
using Payments.TestSupport;
using Payments.Workers.Catalogue;

namespace Payments.Architecture.Tests.Catalogue;

/// <summary>The committed event catalogue is the one the code generates, has the shape of an AsyncAPI 3.0 document, and lists every contract.</summary>
public class AsyncApiDocumentTests
{
    const string CommittedPath = "docs/asyncapi.json";

    static JsonObject Committed() => JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, CommittedPath)))!.AsObject();

    [Fact]
    public void The_committed_catalogue_is_the_one_the_code_generates()
    {
        var committed = File.ReadAllText(Path.Combine(Repository.Root, CommittedPath)).ReplaceLineEndings("\n");

        Assert.True(committed == EventCatalogue.Json(),
            $"{CommittedPath} is not what the code generates (a contract, topic, queue or the envelope changed): run `{EventCatalogue.Command}` and commit it");
    }

    [Fact]
    public void It_is_an_AsyncAPI_3_document_whose_references_resolve()
    {
        var document = Committed();

        Assert.Equal("3.0.0", (string?)document["asyncapi"]);
        Assert.False(string.IsNullOrEmpty((string?)document["info"]?["title"]));
        Assert.False(string.IsNullOrEmpty((string?)document["info"]?["version"]));
        foreach (var section in new[] { "channels", "operations", "components" })
            Assert.True(document[section] is JsonObject { Count: > 0 }, $"{section} is missing or empty");
        foreach (var (name, operation) in document["operations"]!.AsObject())
        {
            Assert.Contains((string?)operation!["action"], new[] { "send", "receive" });
            Assert.True(operation["messages"] is JsonArray { Count: > 0 }, $"operation {name} names no message");
        }

        var references = References(document).ToList();
        Assert.True(references.Count > 50, $"only {references.Count} references");
        var unresolved = references.Where(r => Resolve(document, r) is null).ToList();
        Assert.True(unresolved.Count == 0, $"references that point at nothing: {string.Join(", ", unresolved)}");
    }

    [Fact]
    public void Every_contract_has_a_message_a_schema_and_a_channel()
    {
        var document = Committed();
        var messages = document["components"]!["messages"]!.AsObject();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var inChannels = document["channels"]!.AsObject().SelectMany(c => c.Value!["messages"]!.AsObject().Select(m => m.Key)).ToHashSet();

        var contracts = typeof(PaymentRequested).Assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }).ToList();
        Assert.True(contracts.Count >= 9, $"only {contracts.Count} contract types found");
        foreach (var contract in contracts)
        {
            Assert.True(messages.ContainsKey(contract.Name), $"{contract.Name} has no message in {CommittedPath}");
            Assert.True(schemas.ContainsKey(contract.Name), $"{contract.Name} has no schema in {CommittedPath}");
            Assert.True(inChannels.Contains(contract.Name), $"{contract.Name} is on no channel in {CommittedPath}");
        }
    }

    /// <summary>The schemas name the properties as MassTransit's serializer and the EventBridge forwarder write them.</summary>
    [Fact]
    public void The_outcome_schemas_name_what_is_written_on_the_wire()
    {
        var schemas = Committed()["components"]!["schemas"]!;
        var succeeded = new PaymentSucceeded(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 1999, "USD", "ch_1", DateTimeOffset.UtcNow);
        var failed = new PaymentFailed(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 1951, "USD", "declined", DateTimeOffset.UtcNow);

        foreach (var (name, message) in new (string, object)[] { (nameof(PaymentSucceeded), succeeded), (nameof(PaymentFailed), failed) })
        {
            var documented = schemas[name]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
            var written = JsonNode.Parse(JsonSerializer.Serialize(message, JsonSerializerOptions.Web))!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
            Assert.Equal(written, documented);
            Assert.Contains("eventId", documented);
        }
    }

    static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [(string)p.Value!] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };

    static JsonNode? Resolve(JsonNode document, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
            return null;
        JsonNode? at = document;
        foreach (var segment in reference[2..].Split('/'))
            at = at is JsonObject o && o.TryGetPropertyValue(segment.Replace("~1", "/").Replace("~0", "~"), out var next) ? next : null;
        return at;
    }
}
