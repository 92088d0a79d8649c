namespace Payments.Architecture.Tests;

/// <summary>
/// The rules the project graph keeps, as one function from a graph to its violations, so a test can show both that
/// today's graph keeps them and that a forbidden edge is caught.
/// </summary>
static class ArchitectureRules
{
    public static readonly string[] Hosts = ["Api", "Workers"];
    public static readonly string[] Core = ["Contracts", "Sagas", "Outbox", "Processing"];
    public static readonly string[] Adapters = ["Persistence", "Aws"];
    public const string SharedBusConfiguration = "Messaging";
    /// <summary>What only hosts compose (the OpenTelemetry registration): on the core for names, on nothing else of ours.</summary>
    public static readonly string[] HostSupport = ["Telemetry"];
    static readonly string[] DatabasePackages = ["Microsoft.EntityFrameworkCore", "Npgsql"];
    static readonly string[] AwsPackages = ["AWSSDK."];

    public static IReadOnlyList<string> Violations(ProjectGraph graph)
    {
        var found = new List<string>();
        var known = Hosts.Concat(Core).Concat(Adapters).Concat(HostSupport).Append(SharedBusConfiguration).ToHashSet();

        foreach (var project in graph.Projects.Values)
        {
            if (!known.Contains(project.Name))
                found.Add($"{project.Name} is in no layer: name it in {nameof(ArchitectureRules)}");
            if (project.IsExecutable && !Hosts.Contains(project.Name))
                found.Add($"{project.Name} is an executable, but only the hosts ({string.Join(", ", Hosts)}) may be");
            foreach (var reference in project.References.Where(Hosts.Contains))
                found.Add($"{project.Name} references the host {reference}: nothing references an executable");
            if (!Hosts.Contains(project.Name))
                foreach (var reference in project.References.Where(HostSupport.Contains))
                    found.Add($"{project.Name} references the host support {reference}: only the hosts compose it");
        }

        foreach (var core in Core.Where(graph.Projects.ContainsKey))
            foreach (var reached in graph.Reachable(core).Where(p => !Core.Contains(p)))
                found.Add($"{core} (core) reaches {reached}: the core depends on nothing outside it");

        foreach (var adapter in Adapters.Where(graph.Projects.ContainsKey))
            foreach (var reached in graph.Reachable(adapter).Where(p => !Core.Contains(p)))
                found.Add($"{adapter} (adapter) reaches {reached}: adapters depend on the core only");

        foreach (var support in HostSupport.Where(graph.Projects.ContainsKey))
            foreach (var reached in graph.Reachable(support).Where(p => !Core.Contains(p)))
                found.Add($"{support} (host support) reaches {reached}: host support depends on the core only");

        if (graph.Projects.ContainsKey(SharedBusConfiguration))
        {
            foreach (var reached in graph.Reachable(SharedBusConfiguration).Where(p => p == "Aws"))
                found.Add($"{SharedBusConfiguration} reaches {reached}: the shared bus configuration knows no transport");
            foreach (var package in PackagesMatching(graph.PackagesReachable(SharedBusConfiguration), AwsPackages))
                found.Add($"{SharedBusConfiguration} reaches the package {package}: the shared bus configuration knows no transport");
        }

        if (graph.Projects.ContainsKey("Aws"))
            foreach (var package in PackagesMatching(graph.PackagesReachable("Aws"), DatabasePackages))
                found.Add($"Aws reaches the package {package}: the transport adapter sees outbox rows through the Outbox port only");

        return found;
    }

    static IEnumerable<string> PackagesMatching(IEnumerable<string> packages, string[] prefixes) =>
        packages.Where(p => prefixes.Any(prefix => p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
}
