namespace Payments.TestSupport;

/// <summary>The clone the tests run from.</summary>
public static class Repository
{
    /// <summary>The clone's root: the first folder above the test binaries that holds Payments.sln.</summary>
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payments.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"Payments.sln not found above {AppContext.BaseDirectory}");
    }
}
