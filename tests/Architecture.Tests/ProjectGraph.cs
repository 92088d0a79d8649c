using System.Xml.Linq;
using Payments.TestSupport;

namespace Payments.Architecture.Tests;

/// <summary>The projects under <c>src/</c> as their <c>.csproj</c> files declare them: references, packages, output kind.</summary>
sealed class ProjectGraph
{
    public sealed record Project(string Name, bool IsExecutable, IReadOnlyList<string> References, IReadOnlyList<string> Packages);

    public IReadOnlyDictionary<string, Project> Projects { get; }

    ProjectGraph(IReadOnlyDictionary<string, Project> projects) => Projects = projects;

    public static ProjectGraph Load(string srcFolder)
    {
        var projects = Directory.GetFiles(srcFolder, "*.csproj", SearchOption.AllDirectories)
            .Select(Read)
            .ToDictionary(p => p.Name);
        return new ProjectGraph(projects);
    }

    public static ProjectGraph OfThisRepository() => Load(Path.Combine(Repository.Root, "src"));

    /// <summary>Every project <paramref name="name"/> reaches through references, itself excluded.</summary>
    public IReadOnlySet<string> Reachable(string name)
    {
        var seen = new HashSet<string>();
        var next = new Stack<string>(Projects[name].References);
        while (next.TryPop(out var current))
            if (seen.Add(current))
                foreach (var reference in Projects[current].References)
                    next.Push(reference);
        return seen;
    }

    /// <summary>Every package <paramref name="name"/> or a project it reaches references.</summary>
    public IReadOnlySet<string> PackagesReachable(string name) =>
        Reachable(name).Append(name).SelectMany(p => Projects[p].Packages).ToHashSet(StringComparer.OrdinalIgnoreCase);

    static Project Read(string path)
    {
        var xml = XDocument.Load(path);
        var sdk = xml.Root!.Attribute("Sdk")?.Value ?? "";
        var outputType = xml.Descendants("OutputType").Select(e => e.Value).LastOrDefault();
        var executable = string.Equals(outputType, "Exe", StringComparison.OrdinalIgnoreCase)
                         || (sdk == "Microsoft.NET.Sdk.Web" && !string.Equals(outputType, "Library", StringComparison.OrdinalIgnoreCase));
        var references = xml.Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        var packages = xml.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        return new Project(Path.GetFileNameWithoutExtension(path), executable, references, packages);
    }
}
