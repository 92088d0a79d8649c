using System.Diagnostics;
using Payments.TestSupport;

namespace Payments.Aws.Tests.Reliability;

/// <summary>
/// A PostgreSQL cluster of its own (through scripts/postgres.sh), for a test that restarts the database under load
/// without disturbing the shared test server.
/// </summary>
sealed class OwnPostgres : IAsyncDisposable
{
    readonly string _dir;

    OwnPostgres(string dir, int port) => (_dir, Port) = (dir, port);

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    public static async Task<OwnPostgres> Start()
    {
        // Under /tmp: the postgres user must be able to reach the directory.
        var dir = Path.Combine("/tmp", $"payments-reliability-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                      UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        // Normal durability (not --fast): with synchronous_commit off an immediate restart loses commits that were
        // already answered 201, which is the database breaking its promise, not the application.
        var port = int.Parse((await Script("start", dir)).Trim().Split('\n')[^1]);
        return new OwnPostgres(dir, port);
    }

    public Task CreateDatabase(string name) => Script("createdb", _dir, name);

    /// <summary>Immediate stop (a crash to the database: no checkpoint, recovery on start) and start on the same port.</summary>
    public Task Restart() => Script("restart", _dir);

    public async ValueTask DisposeAsync()
    {
        await Script("stop", _dir);
        Directory.Delete(_dir, recursive: true);
    }

    static async Task<string> Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "scripts", "postgres.sh"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }
}
