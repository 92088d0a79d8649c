using System.Xml.Linq;
using Payments.TestSupport;

namespace Payments.Architecture.Tests;

/// <summary>The graph of <c>src/</c> points inward: hosts at the edge, adapters on the core, the core on nothing else.</summary>
public class ProjectGraphTests
{
    [Fact]
    public void The_projects_keep_every_rule()
    {
        var graph = ProjectGraph.OfThisRepository();

        string[] layered = [.. ArchitectureRules.Hosts, .. ArchitectureRules.Core, .. ArchitectureRules.Adapters, .. ArchitectureRules.HostSupport,
            ArchitectureRules.SharedBusConfiguration];
        Assert.Equal(layered.Order(StringComparer.Ordinal), graph.Projects.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(ArchitectureRules.Violations(graph));
    }

    [Theory]
    [InlineData("Api", "Workers", "references the host Workers")]
    [InlineData("Aws", "Persistence", "Aws (adapter) reaches Persistence")]
    [InlineData("Persistence", "Aws", "Persistence (adapter) reaches Aws")]
    [InlineData("Messaging", "Aws", "the shared bus configuration knows no transport")]
    [InlineData("Processing", "Persistence", "Processing (core) reaches Persistence")]
    [InlineData("Sagas", "Messaging", "Sagas (core) reaches Messaging")]
    [InlineData("Outbox", "Persistence", "Outbox (core) reaches Persistence")]
    [InlineData("Telemetry", "Persistence", "Telemetry (host support) reaches Persistence")]
    [InlineData("Messaging", "Telemetry", "Messaging references the host support Telemetry")]
    [InlineData("Processing", "Telemetry", "Processing (core) reaches Telemetry")]
    public void A_forbidden_reference_is_caught(string from, string to, string expected)
    {
        var violations = ArchitectureRules.Violations(CopyWith(csproj => AddReference(csproj, from, to)));

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_database_package_reaching_the_AWS_adapter_is_caught()
    {
        var violations = ArchitectureRules.Violations(CopyWith(csproj => AddPackage(csproj, "Outbox", "Npgsql.EntityFrameworkCore.PostgreSQL")));

        Assert.Contains(violations, v => v.Contains("Aws reaches the package Npgsql.EntityFrameworkCore.PostgreSQL", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_executable_is_caught()
    {
        var violations = ArchitectureRules.Violations(CopyWith(csproj =>
        {
            if (Path.GetFileNameWithoutExtension(csproj) != "Processing")
                return;
            var xml = XDocument.Load(csproj);
            xml.Root!.Add(new XElement("PropertyGroup", new XElement("OutputType", "Exe")));
            xml.Save(csproj);
        }));

        Assert.Contains(violations, v => v.Contains("Processing is an executable", StringComparison.Ordinal));
    }

    /// <summary>A copy of every <c>src/*/*.csproj</c>, changed by <paramref name="change"/>, read as a graph.</summary>
    static ProjectGraph CopyWith(Action<string> change)
    {
        var root = Directory.CreateTempSubdirectory("payments-graph-");
        try
        {
            foreach (var csproj in Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories))
            {
                var name = Path.GetFileNameWithoutExtension(csproj);
                var copy = Path.Combine(root.FullName, name, name + ".csproj");
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(csproj, copy);
                change(copy);
            }
            return ProjectGraph.Load(root.FullName);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    static void AddReference(string csproj, string from, string to) =>
        AddItem(csproj, from, new XElement("ProjectReference", new XAttribute("Include", $"../{to}/{to}.csproj")));

    static void AddPackage(string csproj, string into, string package) =>
        AddItem(csproj, into, new XElement("PackageReference", new XAttribute("Include", package)));

    static void AddItem(string csproj, string project, XElement item)
    {
        if (Path.GetFileNameWithoutExtension(csproj) != project)
            return;
        var xml = XDocument.Load(csproj);
        xml.Root!.Add(new XElement("ItemGroup", item));
        xml.Save(csproj);
    }
}
