using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Pointer;
using Payments.TestSupport;

namespace Payments.Api.Tests.OpenApi;

/// <summary>The committed document is the one the build generates and the one the API serves, and its examples are valid.</summary>
public class OpenApiDocumentTests(SharedApi shared) : IClassFixture<SharedApi>
{
    const string GeneratedPath = "src/Api/obj/openapi/openapi.json";
    const string Regenerate = "bash scripts/openapi.sh";

    [Fact]
    public void The_committed_document_is_the_one_the_build_generates()
    {
        var generated = Path.Combine(Repository.Root, GeneratedPath);
        Assert.True(File.Exists(generated), $"{GeneratedPath} is missing: building src/Api writes it (OpenApiGenerateDocuments)");

        Assert.True(Normalized(File.ReadAllText(generated)) == Normalized(File.ReadAllText(Path.Combine(Repository.Root, OpenApiContract.CommittedPath))),
            $"{OpenApiContract.CommittedPath} is not the document the build generates ({GeneratedPath}): run `{Regenerate}` and commit it");
    }

    [Fact]
    public async Task The_served_document_is_the_committed_one()
    {
        using var client = shared.Api.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!.AsObject();
        // The servers are the request's own address: the only part of the document that depends on where it is read.
        served.Remove("servers");

        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, OpenApiContract.CommittedPath)))!;
        Assert.True(JsonNode.DeepEquals(committed, served),
            $"/openapi/v1.json differs from {OpenApiContract.CommittedPath} (the build-time run describes another API): run `{Regenerate}`");
    }

    /// <summary>Every example in the document is valid against the schema beside it.</summary>
    [Fact]
    public void Every_example_matches_its_schema()
    {
        var contract = OpenApiContract.Committed();
        var checkedExamples = 0;
        var errors = new List<string>();
        foreach (var (pointer, schemaPointer, example) in Examples(contract.Document, JsonPointer.Empty))
        {
            checkedExamples++;
            errors.AddRange(contract.Errors(schemaPointer, example).Select(e => $"{pointer}: {e}"));
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(checkedExamples >= 20, $"only {checkedExamples} examples found");
    }

    /// <summary>Each <c>example</c> or <c>examples/*/value</c> beside a <c>schema</c> (media types, parameters, headers).</summary>
    static IEnumerable<(JsonPointer Where, JsonPointer Schema, JsonElement Example)> Examples(JsonElement node, JsonPointer at)
    {
        if (node.ValueKind != JsonValueKind.Object)
            yield break;
        if (node.TryGetProperty("schema", out _))
        {
            var schema = at.Combine("schema");
            if (node.TryGetProperty("example", out var example))
                yield return (at.Combine("example"), schema, example);
            if (node.TryGetProperty("examples", out var examples))
                foreach (var named in examples.EnumerateObject())
                    yield return (at.Combine("examples", named.Name), schema, named.Value.GetProperty("value"));
        }
        foreach (var property in node.EnumerateObject())
            if (property.Name is not ("schema" or "example" or "examples"))
                foreach (var found in Examples(property.Value, at.Combine(property.Name)))
                    yield return found;
    }

    static string Normalized(string text) => text.ReplaceLineEndings("\n").TrimEnd();
}
