using System.Diagnostics;
using System.Text;

namespace Payments.Aws.Tests.Reliability;

/// <summary>Real <c>Payments.Workers</c> processes with the given settings, killed with SIGKILL on demand.</summary>
sealed class WorkerProcesses(IReadOnlyDictionary<string, string?> settings) : IDisposable
{
    readonly List<Process> _started = [];
    readonly StringBuilder _log = new();

    public int Running => _started.Count(p => !p.HasExited);

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "Payments.Workers.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__")] = value;
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var worker = Process.Start(start)!;
        worker.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        _started.Add(worker);
    }

    /// <summary>SIGKILL to the newest worker: no shutdown, its in-flight messages stay unacknowledged.</summary>
    public async Task KillNewest()
    {
        var victim = _started.Last(p => !p.HasExited);
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
    }

    public string LogTail(int chars)
    {
        lock (_log)
            return _log.ToString()[^Math.Min(_log.Length, chars)..];
    }

    public void Dispose()
    {
        foreach (var worker in _started.Where(w => !w.HasExited))
            worker.Kill(entireProcessTree: true);
    }
}
