using System.Diagnostics;
using System.Net;
using System.Text;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Aws.Tests;

/// <summary>
/// Worker processes killed with SIGKILL in the middle of a run and restarted: every payment still ends terminal
/// and no payment is charged twice. The fake gateway keeps its ledger in its own database, as a real gateway
/// would, so it outlives the workers and can be audited.
/// </summary>
public class WorkerCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly List<Process> _workers = [];
    readonly StringBuilder _workerLog = new();
    ApiFactory _api = null!;
    Dictionary<string, string?> _settings = null!;
    Sql _ledger = null!;

    public async Task InitializeAsync()
    {
        var database = await TestPostgres.CreateDatabase();
        var ledgerDatabase = await TestPostgres.CreateDatabase();
        _ledger = new Sql(ledgerDatabase);
        _settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        foreach (var (key, value) in new Dictionary<string, string?>
                 {
                     ["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:05",
                     ["Messaging:AmazonSqs:ConcurrencyPerQueue"] = "32",
                     ["Payments:Saga:ChargeTimeout"] = "00:00:05",
                     ["Payments:Saga:RetryBaseDelay"] = "00:00:00.020",
                     ["Payments:Saga:RetryMaxDelay"] = "00:00:00.200",
                     ["Payments:Saga:MaxAttempts"] = "12",
                     ["Payments:FakeGateway:TransientFailureRate"] = "0.3",
                     ["Payments:FakeGateway:TimeoutRate"] = "0.05",
                     ["Payments:FakeGateway:Latency"] = "00:00:00.002",
                     ["Payments:FakeGateway:LedgerConnectionString"] = ledgerDatabase,
                 })
            _settings[key] = value;

        StartWorker();
        var apiSettings = new Dictionary<string, string?>(_settings) { ["Payments:Role"] = "Api" };
        _api = ApiFactory.StartOn(database, apiSettings);
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers.Where(w => !w.HasExited))
            worker.Kill(entireProcessTree: true);
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Killing_workers_mid_run_loses_no_payment_and_charges_none_twice()
    {
        const int total = 300;
        var users = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        var clients = users.ToDictionary(u => u, u => _api.ClientFor(u));
        var created = 0;
        using var gate = new SemaphoreSlim(16);
        var posting = Task.WhenAll(Enumerable.Range(0, total).Select(async i =>
        {
            var user = users[i % users.Length];
            await gate.WaitAsync();
            try
            {
                var response = await PaymentRequests.Post(clients[user], PaymentRequests.Body(user, 1000 + i), $"crash-{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                Interlocked.Increment(ref created);
            }
            finally
            {
                gate.Release();
            }
        }));

        for (var kill = 1; kill <= 2; kill++)
        {
            await Sql.WaitUntil(() => Task.FromResult(created >= kill * total / 3), TimeSpan.FromSeconds(60), "payments being created");
            await Task.Delay(300);
            _workers[^1].Kill(entireProcessTree: true); // SIGKILL: no shutdown, in-flight messages stay unacknowledged
            await _workers[^1].WaitForExitAsync();
            output.WriteLine($"killed worker {kill} after {created} payments were created");
            StartWorker();
        }
        await posting;

        try
        {
            await Sql.WaitUntil(async () => await _api.Sql.Count("payments", "status = 'PENDING'") == 0, TimeSpan.FromSeconds(180),
                "every payment to reach a terminal state after the crashes");
        }
        catch (TimeoutException)
        {
            output.WriteLine(_workerLog.ToString()[^Math.Min(_workerLog.Length, 20_000)..]);
            throw;
        }

        var payments = await _api.Sql.Query("SELECT id, status, amount, charge_id FROM payments",
            r => (Id: r.GetGuid(0), Status: r.GetString(1), Amount: r.GetInt64(2), ChargeId: r.IsDBNull(3) ? null : r.GetString(3)));
        var approved = (await _ledger.Query("SELECT payment_id, amount, charge_id, requests FROM fake_gateway_ledger WHERE approved",
                r => (PaymentId: r.GetGuid(0), Amount: r.GetInt64(1), ChargeId: r.GetString(2), Requests: r.GetInt32(3))))
            .GroupBy(x => x.PaymentId).ToDictionary(g => g.Key, g => g.Single());

        Assert.Equal(total, payments.Count);
        foreach (var p in payments)
        {
            if (p.Status == "SUCCESS")
            {
                Assert.Equal(p.Amount, approved[p.Id].Amount);
                Assert.Equal(approved[p.Id].ChargeId, p.ChargeId);
            }
            else
                Assert.False(approved.ContainsKey(p.Id), $"failed payment {p.Id} was charged");
        }
        Assert.Equal(payments.Count(p => p.Status == "SUCCESS"), approved.Count);
        output.WriteLine($"{approved.Count} charged once each, {payments.Count(p => p.Status == "FAILED")} failed; " +
                         $"{approved.Values.Count(a => a.Requests > 1)} charges were requested more than once and answered from the ledger");
    }

    void StartWorker()
    {
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "Payments.Workers.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _settings)
            start.Environment[key.Replace(":", "__")] = value;
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var worker = Process.Start(start)!;
        worker.OutputDataReceived += (_, e) => { lock (_workerLog) _workerLog.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { lock (_workerLog) _workerLog.AppendLine(e.Data); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        _workers.Add(worker);
    }
}
