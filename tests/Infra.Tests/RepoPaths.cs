namespace Payments.Infra.Tests;

static class RepoPaths
{
    /// <summary>The clone's root: the first folder above the test binaries that holds Payments.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Terraform => Path.Combine(Root, "infra", "terraform");

    public static string Hcl2Json => Path.Combine(Root, "tools", "hcl2json");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payments.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"Payments.sln not found above {AppContext.BaseDirectory}");
    }
}
