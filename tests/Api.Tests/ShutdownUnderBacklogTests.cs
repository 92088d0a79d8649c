using System.Diagnostics;
using System.Text;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Api.Tests;

/// <summary>
/// The all-in-one process on a large backlog keeps the backlog in Postgres and hands its consumers only a bounded number of
/// messages, so SIGTERM stops it within its shutdown timeout however large the backlog, and nothing is lost: a restart
/// finishes every payment, none charged twice. The real process (<c>Payments.Api.dll</c>), started as scripts/run.sh does.
/// </summary>
public class ShutdownUnderBacklogTests(ITestOutputHelper output)
{
    const int Backlog = 50_000;
    // Draining 50,000 payments takes minutes on 2 cores: the restart finishes every payment the stopped process had started
    // and this many it had not touched; the rest of the backlog is removed before it.
    const int UntouchedKept = 500;
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);
    // What the stages check is that the work moves and ends, not its pace: beside the other test hosts of a CI run a cold
    // process took 15 s to start and 12 s to consume its first message (JIT and first-use costs on a starved CPU), and 45 s
    // passed before the first payment of the restart ended. A stall past the charge timeout (30 s) plus that is a fault.
    static readonly TimeSpan Stall = TimeSpan.FromSeconds(90);
    static readonly TimeSpan StageCeiling = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task SIGTERM_on_a_50k_backlog_exits_within_the_shutdown_timeout_and_a_restart_finishes_every_payment_charged_once()
    {
        var connectionString = await TestPostgres.CreateDatabase();
        var sql = new Sql(connectionString);
        await WriteBacklog(connectionString, sql);
        Assert.Equal(Backlog, await sql.Count("payments", "status = 'PENDING'"));

        using (var first = ApiProcess.Start(connectionString))
        {
            // Working: it has handed over part of the backlog and its consumers have started payments from it.
            await WaitForProgress(sql, first, () => sql.Count("payment_sagas"), 100, "the first process to be working through the backlog");
            output.WriteLine($"first process: RSS {first.ResidentMegabytes()} MB with {await sql.Count("outbox_messages")} outbox rows waiting");

            var stopping = Stopwatch.StartNew();
            first.Terminate();
            var exited = await first.WaitForExit(ShutdownTimeout + TimeSpan.FromSeconds(10));
            output.WriteLine($"SIGTERM → exit in {stopping.Elapsed.TotalSeconds:0.0} s, code {(exited ? first.ExitCode : null)}");
            Assert.True(exited, $"still running {stopping.Elapsed} after SIGTERM\n{first.LogTail(4000)}");
            Assert.True(stopping.Elapsed < ShutdownTimeout, $"took {stopping.Elapsed} to stop");
            Assert.True(first.ExitCode == 0, $"exit code {first.ExitCode}\n{first.LogTail(4000)}");
        }

        // Nothing lost: every payment not yet terminal still has a message waiting in Postgres (or its saga a timer there).
        Assert.Equal(0, await sql.Count("payments p", """
            status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.correlation_id = p.id AND o.parked_at IS NULL)
            """));
        var started = await sql.Count("payment_sagas");
        output.WriteLine($"{await sql.Count("payments", "status <> 'PENDING'")} terminal, {started} sagas started at the stop");
        await sql.Execute($"""
            CREATE TEMP TABLE untouched AS SELECT id FROM payments p WHERE NOT EXISTS (SELECT 1 FROM payment_sagas s WHERE s.correlation_id = p.id);
            DELETE FROM untouched WHERE id IN (SELECT id FROM untouched ORDER BY id LIMIT {UntouchedKept});
            DELETE FROM outbox_messages WHERE correlation_id IN (SELECT id FROM untouched);
            DELETE FROM payments WHERE id IN (SELECT id FROM untouched);
            """);
        var total = await sql.Count("payments");

        using (var second = ApiProcess.Start(connectionString))
        {
            var restarted = Stopwatch.StartNew();
            await WaitForProgress(sql, second, () => sql.Count("payments", "status <> 'PENDING'"), total, $"all {total} payments terminal after the restart");
            output.WriteLine($"restart: all {total} terminal in {restarted.Elapsed.TotalSeconds:0.0} s");
            second.Terminate();
            await second.WaitForExit(ShutdownTimeout);
        }

        // One ledger entry per charged payment (the gateway's idempotency key is derived from the payment), and every
        // SUCCESS has exactly one approved charge behind it.
        Assert.Equal(0, await sql.Count("(SELECT payment_id FROM fake_gateway_ledger GROUP BY payment_id HAVING count(*) > 1) AS twice"));
        Assert.Equal(await sql.Count("payments", "status = 'SUCCESS'"),
            await sql.Count("fake_gateway_ledger l JOIN payments p ON p.id = l.payment_id", "l.approved AND p.status = 'SUCCESS'"));
        Assert.Equal(0, await sql.Count("outbox_messages", "enqueue_time IS NULL"));
    }

    /// <summary>
    /// <see cref="Sql.WaitForProgress"/> for one stage; a failure also tells where the payments stand (statuses, saga states,
    /// what waits in the outbox) and what the process last logged.
    /// </summary>
    static async Task WaitForProgress(Sql sql, ApiProcess process, Func<Task<long>> measure, long target, string what)
    {
        try
        {
            await Sql.WaitForProgress(measure, target, Stall, StageCeiling, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await Describe(sql)}\n{process.LogTail(4000)}", e);
        }
    }

    static async Task<string> Describe(Sql sql)
    {
        var rows = await sql.Query("""
            SELECT 'payments ' || status, count(*) FROM payments GROUP BY status
            UNION ALL SELECT 'sagas ' || current_state, count(*) FROM payment_sagas GROUP BY current_state
            UNION ALL SELECT 'outbox ' || message_type || ' attempts=' || attempts
                             || CASE WHEN parked_at IS NOT NULL THEN ' parked' WHEN enqueue_time > now() THEN ' later' ELSE ' due' END, count(*)
                        FROM outbox_messages GROUP BY 1
            ORDER BY 1
            """, r => $"{r.GetString(0)}: {r.GetInt64(1)}");
        return string.Join('\n', rows);
    }

    /// <summary>
    /// One payment created through the API with delivery off (its row and its <c>PaymentRequested</c> committed, nothing
    /// sent), then copied in SQL: the copies differ in payment id and message id, in the row and in the envelope, and in
    /// their owner (one owner's analytics row would make every copy's outcome wait for the one before).
    /// </summary>
    static async Task WriteBacklog(string connectionString, Sql sql)
    {
        await using (var api = ApiFactory.StartOn(connectionString, new Dictionary<string, string?> { ["Payments:Outbox:DeliveryEnabled"] = "false" }))
        {
            var user = Guid.NewGuid();
            var response = await PaymentRequests.Post(api.ClientFor(user), PaymentRequests.Body(user, amount: 1999), "template");
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
        await sql.Execute($"""
            CREATE TEMP TABLE template AS
              SELECT p.id AS payment_id, o.message_id, o.sequence_number FROM payments p JOIN outbox_messages o ON o.correlation_id = p.id;
            CREATE TEMP TABLE copies AS SELECT gen_random_uuid() AS payment_id, gen_random_uuid() AS message_id, gen_random_uuid() AS user_id FROM generate_series(1, {Backlog - 1});
            INSERT INTO payments (id, user_id, amount, currency, description, metadata, status, created_at, updated_at)
              SELECT c.payment_id, c.user_id, p.amount, p.currency, p.description, p.metadata, p.status, p.created_at, p.updated_at
                FROM copies c CROSS JOIN template t JOIN payments p ON p.id = t.payment_id;
            INSERT INTO outbox_messages (message_id, sent_time, content_type, message_type, body, headers, properties, conversation_id,
                                         correlation_id, source_address, destination_address, attempts)
              SELECT c.message_id, o.sent_time, o.content_type, o.message_type,
                     replace(replace(o.body, t.payment_id::text, c.payment_id::text), t.message_id::text, c.message_id::text),
                     o.headers, o.properties, gen_random_uuid(), c.payment_id, o.source_address, o.destination_address, 0
                FROM copies c CROSS JOIN template t JOIN outbox_messages o ON o.sequence_number = t.sequence_number;
            """);
    }

    /// <summary>The API as its own process, all-in-one, on loopback; stopped with SIGTERM as a container runtime does.</summary>
    sealed class ApiProcess : IDisposable
    {
        readonly Process _process;
        readonly StringBuilder _log = new();

        ApiProcess(Process process) => _process = process;

        public int ExitCode => _process.ExitCode;

        public static ApiProcess Start(string connectionString)
        {
            var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "Payments.Api.dll"))
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var settings = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["ConnectionStrings__Payments"] = connectionString,
                ["Auth__SigningKey"] = ApiFactory.SigningKey,
                ["Payments__Role"] = "AllInOne",
                ["Payments__FakeGateway__Latency"] = "00:00:00.002",
                // The ledger in Postgres, so that charges made by the stopped process are still seen after the restart.
                ["Payments__FakeGateway__LedgerConnectionString"] = connectionString,
                ["Payments__Outbox__SweepGrace"] = "00:00:01",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            foreach (var (key, value) in settings)
                start.Environment[key] = value;
            var process = new ApiProcess(Process.Start(start)!);
            process._process.OutputDataReceived += (_, e) => process.Append(e.Data);
            process._process.ErrorDataReceived += (_, e) => process.Append(e.Data);
            process._process.BeginOutputReadLine();
            process._process.BeginErrorReadLine();
            return process;
        }

        void Append(string? line)
        {
            lock (_log)
                _log.AppendLine(line);
        }

        public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

        public async Task<bool> WaitForExit(TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public long ResidentMegabytes()
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return status is null ? -1 : long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }

        public string LogTail(int chars)
        {
            lock (_log)
                return _log.ToString()[^Math.Min(_log.Length, chars)..];
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
