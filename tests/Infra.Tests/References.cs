using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests;

/// <summary>Finds references in expressions (aws_x.name, data.x.y, var.x, local.x) that name nothing declared.</summary>
public static partial class References
{
    public sealed record Reference(string Address, string File);

    public static IReadOnlyList<Reference> All(TerraformModel model)
    {
        var found = new List<Reference>();
        foreach (var (file, doc) in model.Files)
            Collect(doc, file, found);
        return found;
    }

    public static IReadOnlyList<Reference> Unresolved(TerraformModel model)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        declared.UnionWith(model.Resources.Select(r => r.Address));
        declared.UnionWith(model.DataSources.Select(d => d.Address));
        declared.UnionWith(model.Variables.Keys.Select(v => $"var.{v}"));
        declared.UnionWith(model.Locals.Keys.Select(l => $"local.{l}"));
        return All(model).Where(r => !declared.Contains(r.Address)).ToList();
    }

    static void Collect(JsonNode? node, string file, List<Reference> found)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                    Collect(child, file, found);
                break;
            case JsonArray array:
                foreach (var child in array)
                    Collect(child, file, found);
                break;
            case JsonValue value when value.TryGetValue<string>(out var s) && s.Contains("${", StringComparison.Ordinal):
                foreach (Match m in ReferencePattern().Matches(s))
                    found.Add(new Reference(m.Value, file));
                break;
        }
    }

    [GeneratedRegex(@"(?<![\w.""-])(?:data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|var\.[A-Za-z0-9_]+|local\.[A-Za-z0-9_]+|aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex ReferencePattern();
}
