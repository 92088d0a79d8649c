using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests;

/// <summary>A block of a Terraform configuration, as parsed by HCL (via @cdktf/hcl2json).</summary>
public sealed record TfBlock(string Kind, string Type, string Name, JsonObject Body, string File)
{
    public string Address => Kind == "data" ? $"data.{Type}.{Name}" : $"{Type}.{Name}";

    public string? String(string attribute) => Body[attribute] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// The parsed configuration with just enough evaluation for the tests: numbers through var/local and '*',
/// and names of for_each resources (each.key, each.value, each.value.field, var.name_prefix as the application's empty default).
/// </summary>
public sealed partial class TerraformModel
{
    public required IReadOnlyDictionary<string, JsonObject> Files { get; init; }
    public required IReadOnlyList<TfBlock> Resources { get; init; }
    public required IReadOnlyList<TfBlock> DataSources { get; init; }
    public required IReadOnlyDictionary<string, JsonObject> Variables { get; init; }
    public required IReadOnlyDictionary<string, JsonNode?> Locals { get; init; }

    public static TerraformModel From(IReadOnlyDictionary<string, JsonObject> files)
    {
        var resources = new List<TfBlock>();
        var data = new List<TfBlock>();
        var variables = new Dictionary<string, JsonObject>();
        var locals = new Dictionary<string, JsonNode?>();
        foreach (var (file, doc) in files)
        {
            resources.AddRange(Blocks("resource", doc["resource"] as JsonObject, file));
            data.AddRange(Blocks("data", doc["data"] as JsonObject, file));
            if (doc["variable"] is JsonObject vars)
                foreach (var (name, bodies) in vars)
                    variables.Add(name, Single(bodies, $"variable {name}"));
            if (doc["locals"] is JsonArray localBlocks)
                foreach (var block in localBlocks.OfType<JsonObject>())
                    foreach (var (name, value) in block)
                        locals.Add(name, value);
        }
        return new TerraformModel { Files = files, Resources = resources, DataSources = data, Variables = variables, Locals = locals };
    }

    static IEnumerable<TfBlock> Blocks(string kind, JsonObject? byType, string file)
    {
        if (byType is null)
            yield break;
        foreach (var (type, byName) in byType)
            foreach (var (name, bodies) in (JsonObject)byName!)
                yield return new TfBlock(kind, type, name, Single(bodies, $"{kind} {type}.{name}"), file);
    }

    static JsonObject Single(JsonNode? bodies, string what) =>
        bodies is JsonArray { Count: 1 } array && array[0] is JsonObject body ? body : throw new InvalidOperationException($"{what} is declared more than once");

    public IEnumerable<TfBlock> OfType(string type) => Resources.Where(r => r.Type == type);

    public TfBlock Resource(string type, string name) =>
        Resources.SingleOrDefault(r => r.Type == type && r.Name == name) ?? throw new InvalidOperationException($"no resource {type}.{name}");

    /// <summary>"${aws_sqs_queue.worker}" or "${aws_sqs_queue.worker[each.key].arn}" → "worker".</summary>
    public static string? ReferencedName(string? expression, string type)
    {
        if (expression is null)
            return null;
        var match = Regex.Match(expression, $@"(?<![\w.]){Regex.Escape(type)}\.([A-Za-z0-9_-]+)");
        return match.Success ? match.Groups[1].Value : null;
    }

    // ---------------------------------------------------------------- numbers

    public double Number(JsonNode? node, string what)
    {
        if (node is JsonValue value)
        {
            if (value.TryGetValue<double>(out var d))
                return d;
            if (value.TryGetValue<string>(out var s))
                return NumberOfExpression(Unwrap(s) ?? s, what);
        }
        throw new InvalidOperationException($"{what}: {node?.ToJsonString() ?? "missing"} is not a number this test can evaluate");
    }

    double NumberOfExpression(string expression, string what)
    {
        expression = expression.Trim();
        if (expression.Contains('*'))
            return expression.Split('*').Select(part => NumberOfExpression(part, what)).Aggregate(1.0, (a, b) => a * b);
        if (double.TryParse(expression, NumberStyles.Float, CultureInfo.InvariantCulture, out var literal))
            return literal;
        if (expression.StartsWith("var.", StringComparison.Ordinal) && Variables.TryGetValue(expression[4..], out var variable))
            return Number(variable["default"], $"{what} (default of {expression})");
        if (expression.StartsWith("local.", StringComparison.Ordinal) && Locals.TryGetValue(expression[6..], out var local))
            return Number(local, $"{what} ({expression})");
        throw new InvalidOperationException($"{what}: cannot evaluate '{expression}'");
    }

    /// <summary>"${expr}" → "expr" when the whole string is one interpolation; otherwise null.</summary>
    public static string? Unwrap(string s) =>
        s.StartsWith("${", StringComparison.Ordinal) && s.EndsWith('}') && s.IndexOf("${", 2, StringComparison.Ordinal) < 0 ? s[2..^1] : null;

    // ---------------------------------------------------------------- names

    /// <summary>The values of a resource's attribute (e.g. name) for every instance of its for_each, by instance key.</summary>
    public IReadOnlyDictionary<string, string> InstanceStrings(TfBlock resource, string attribute)
    {
        var template = resource.String(attribute) ?? throw new InvalidOperationException($"{resource.Address} has no literal or template {attribute}");
        var result = new Dictionary<string, string>();
        foreach (var (key, value) in Instances(resource))
            result[key] = Interpolate(template, key, value, $"{resource.Address}.{attribute}");
        return result;
    }

    IEnumerable<(string Key, JsonNode? Value)> Instances(TfBlock resource)
    {
        var forEach = resource.String("for_each");
        if (forEach is null)
        {
            yield return ("", null);
            yield break;
        }
        var localName = Regex.Match(forEach, @"^\$\{(?:toset\()?local\.([A-Za-z0-9_]+)\)?\}$");
        if (!localName.Success || !Locals.TryGetValue(localName.Groups[1].Value, out var collection))
            throw new InvalidOperationException($"{resource.Address}: for_each '{forEach}' is not a local this test can evaluate");
        switch (collection)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                    yield return (key, value);
                break;
            case JsonArray list:
                foreach (var item in list)
                    yield return (item!.GetValue<string>(), item);
                break;
            default:
                throw new InvalidOperationException($"{resource.Address}: for_each local is neither a map nor a list");
        }
    }

    string Interpolate(string template, string key, JsonNode? value, string what) =>
        Interpolation().Replace(template, m => m.Groups[1].Value.Trim() switch
        {
            // The application's EntityPrefix and this variable are the same setting; names are compared without it.
            "var.name_prefix" => "",
            "each.key" => key,
            "each.value" => value!.GetValue<string>(),
            var e when e.StartsWith("each.value.", StringComparison.Ordinal) => value![e["each.value.".Length..]]!.GetValue<string>(),
            var e => throw new InvalidOperationException($"{what}: cannot evaluate '${{{e}}}'"),
        });

    [GeneratedRegex(@"\$\{([^{}]*)\}")]
    private static partial Regex Interpolation();
}
