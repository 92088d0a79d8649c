using System.Text.Json.Nodes;
using Payments.TestSupport;

namespace Payments.Infra.Tests;

/// <summary>
/// Parses every .tf file under infra/terraform once, with tools/hcl2json (node + the pinned @cdktf/hcl2json).
/// Installs its node_modules with `npm ci` when missing, under a machine-wide file lock so that concurrent test
/// runs never run npm in the same folder at once.
/// </summary>
public sealed class TerraformFixture
{
    public TerraformModel Model { get; }

    public TerraformFixture()
    {
        EnsureParserInstalled();
        Model = TerraformModel.From(Parse(TerraformFiles()));
    }

    public static string[] TerraformFiles()
    {
        var files = Directory.GetFiles(RepoPaths.Terraform, "*.tf", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.terraform{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
            throw new InvalidOperationException($"no .tf files under {RepoPaths.Terraform}");
        return files;
    }

    /// <summary>Parses .tf files; by full path.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Parse(IReadOnlyList<string> files)
    {
        var result = ProcessRunner.Run("node", [Path.Combine(RepoPaths.Hcl2Json, "hcl2json.mjs"), .. files], RepoPaths.Hcl2Json,
            TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"hcl2json failed ({result.ExitCode}): {result.Stderr}");
        var json = JsonNode.Parse(result.Stdout)!.AsObject();
        return files.Count == 1
            ? new Dictionary<string, JsonObject> { [files[0]] = json }
            : files.ToDictionary(f => f, f => json[f]!.AsObject());
    }

    static void EnsureParserInstalled()
    {
        var marker = Path.Combine(RepoPaths.Hcl2Json, "node_modules", "@cdktf", "hcl2json", "package.json");
        if (File.Exists(marker))
            return;

        using var gate = AcquireLock(Path.Combine(Path.GetTempPath(), "payments-hcl2json-npm-ci.lock"), TimeSpan.FromMinutes(5));
        if (File.Exists(marker))
            return;
        var result = ProcessRunner.Run("npm", ["ci", "--prefix", RepoPaths.Hcl2Json, "--no-audit", "--no-fund"], Repository.Root,
            TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(marker))
            throw new InvalidOperationException($"npm ci in tools/hcl2json failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
    }

    static FileStream AcquireLock(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TerraformCollection : ICollectionFixture<TerraformFixture>
{
    public const string Name = "Terraform";
}
