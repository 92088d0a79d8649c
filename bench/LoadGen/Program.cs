// Load generator for the payments API: closed-loop levels of fixed concurrency, an open-loop run at a fixed
// rate, end-to-end (201 -> terminal) from the database, backlog and process samplers, a startup probe and
// the report (JSON, summary.md, chart data). Traffic goes only to the URL given (127.0.0.1 in bench/run.sh).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Payments.Bench;

static class Program
{
    static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: LoadGen load|startup|backlog-start|report|otlp-sink|sqs-depth [--options]");
            return 2;
        }
        var opts = Args.Parse(args.Skip(1));
        try
        {
            return args[0] switch
            {
                "load" => await Load.Run(opts),
                "startup" => await Startup.Run(opts),
                "backlog-start" => await BacklogStart.Run(opts),
                "report" => Report.Run(opts),
                "otlp-sink" => await OtlpSink.Run(opts),
                "sqs-depth" => await SqsDepthBench.Run(opts),
                _ => throw new ArgumentException($"unknown verb {args[0]}"),
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"LoadGen {args[0]} failed: {e}");
            return 1;
        }
    }
}

sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(IEnumerable<string> args)
    {
        var d = new Dictionary<string, string>();
        string? name = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (name is not null) d[name] = "true";
                name = a[2..];
            }
            else if (name is not null) { d[name] = a; name = null; }
        }
        if (name is not null) d[name] = "true";
        return new Args(d);
    }

    public string Get(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
    public string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
    public double Num(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public bool Has(string name) => values.ContainsKey(name);
}

static class Stats
{
    public static double Pct(List<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static JsonObject Summary(List<double> values)
    {
        values.Sort();
        return new JsonObject
        {
            ["count"] = values.Count,
            ["p50"] = R(Pct(values, 50)),
            ["p95"] = R(Pct(values, 95)),
            ["p99"] = R(Pct(values, 99)),
            ["max"] = R(values.Count == 0 ? double.NaN : values[^1]),
            ["mean"] = R(values.Count == 0 ? double.NaN : values.Average()),
        };
    }

    public static JsonNode? R(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 2)) : null;
}

/// <summary>HS256 tokens minted by hand, with the key decoded exactly as AuthOptions.SigningKeyBytes does.</summary>
static class Jwt
{
    public static string Mint(string signingKey, Guid sub, TimeSpan lifetime)
    {
        var key = signingKey.Trim();
        var buffer = new byte[key.Length];
        var keyBytes = Convert.TryFromBase64String(key, buffer, out var written) ? buffer[..written] : Encoding.UTF8.GetBytes(key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "payments-local", ["aud"] = "payments-api", ["sub"] = sub.ToString(),
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + (long)lifetime.TotalSeconds,
        }));
        var signature = B64(HMACSHA256.HashData(keyBytes, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

sealed class Client
{
    readonly HttpClient http;
    readonly string url;
    readonly (Guid User, string Token)[] users;

    public Client(string url, string signingKey, int userCount)
    {
        this.url = url.TrimEnd('/');
        http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        }) { Timeout = TimeSpan.FromSeconds(10) };
        users = Enumerable.Range(0, userCount).Select(_ => Guid.NewGuid()).Select(u => (u, Jwt.Mint(signingKey, u, TimeSpan.FromHours(2)))).ToArray();
    }

    public int UserCount => users.Length;

    /// <summary>A request as one of the bench users (Idempotency-Key on POST), for set-up calls outside the measured runs.</summary>
    public async Task<HttpResponseMessage> Send(HttpMethod method, string path, int user, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url + path) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + users[user].Token);
        if (method == HttpMethod.Post)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
        return await http.SendAsync(request);
    }

    /// <param name="RetryAfterSeconds">A 503's Retry-After: the API shed the request (admission control), nothing was created.</param>
    public sealed record Result(int Status, double LatencyMs, Guid? PaymentId, DateTime ReceivedUtc, string? Error, int? RetryAfterSeconds = null)
    {
        public bool Shed => Status == 503 && RetryAfterSeconds is not null;
    }

    /// <param name="key">The Idempotency-Key: a retry of a shed request sends the same one, as a client must.</param>
    /// <param name="scheduled">When the request was due (open loop): its latency counts from then, not from the actual send.</param>
    public async Task<Result> Create(int n, string? key = null, long? scheduled = null)
    {
        var (user, token) = users[(n & int.MaxValue) % users.Length];
        var amount = Random.Shared.Next(100, 99_999);
        using var request = new HttpRequestMessage(HttpMethod.Post, url + "/payments")
        {
            Content = new StringContent($"{{\"user_id\":\"{user}\",\"amount\":{amount},\"currency\":\"USD\",\"description\":\"bench order {n}\"}}",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        var start = scheduled ?? Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var received = DateTime.UtcNow;
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Guid? id = null;
            var location = response.Headers.Location?.OriginalString;
            if ((int)response.StatusCode == 201 && location is not null && Guid.TryParse(location[(location.LastIndexOf('/') + 1)..], out var g))
                id = g;
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int?)delta.TotalSeconds : null;
            return new Result((int)response.StatusCode, ms, id, received, null, retryAfter);
        }
        catch (Exception e)
        {
            return new Result(0, Stopwatch.GetElapsedTime(start).TotalMilliseconds, null, DateTime.UtcNow, e.GetType().Name);
        }
    }
}

/// <summary>Samples backlog (due outbox rows, PENDING payments), process RSS and CPU, and machine CPU every 500 ms.</summary>
sealed class Sampler : IAsyncDisposable
{
    readonly string db;
    readonly Dictionary<string, int> pids;
    readonly QueueDepthProbe? queues;
    public readonly List<long> QueueDepth = [];
    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    public readonly List<(long Outbox, long Pending)> Backlog = [];
    public readonly Dictionary<string, long> MaxRssKb = [];
    readonly Dictionary<string, long> cpuTicksStart = [];
    readonly (long Busy, long Total) machineStart;
    readonly long started = Stopwatch.GetTimestamp();

    public Sampler(string db, Dictionary<string, int> pids, QueueDepthProbe? queues = null)
    {
        this.db = db;
        this.pids = pids;
        this.queues = queues;
        foreach (var (name, pid) in pids) cpuTicksStart[name] = CpuTicks(pid);
        machineStart = MachineCpu();
        loop = Task.Run(Loop);
    }

    async Task Loop()
    {
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        // Bounded: at most 20 minutes of samples even if nobody stops us.
        for (var i = 0; i < 2400 && !stop.IsCancellationRequested; i++)
        {
            try
            {
                await using var cmd = new NpgsqlCommand(
                    "SELECT (SELECT count(*) FROM outbox_messages WHERE enqueue_time IS NULL OR enqueue_time <= now()), " +
                    "(SELECT count(*) FROM payments WHERE status = 'PENDING')", conn);
                await using var r = await cmd.ExecuteReaderAsync();
                await r.ReadAsync();
                lock (Backlog) Backlog.Add((r.GetInt64(0), r.GetInt64(1)));
            }
            catch (Exception) when (!stop.IsCancellationRequested) { }
            if (queues is not null)
            {
                try { var depth = await queues.Depth(); lock (QueueDepth) QueueDepth.Add(depth); }
                catch (Exception) when (!stop.IsCancellationRequested) { }
            }
            foreach (var (name, pid) in pids)
            {
                var rss = RssKb(pid);
                lock (MaxRssKb) MaxRssKb[name] = Math.Max(MaxRssKb.GetValueOrDefault(name), rss);
            }
            try { await Task.Delay(500, stop.Token); } catch (OperationCanceledException) { break; }
        }
    }

    public async Task<JsonObject> Finish()
    {
        await stop.CancelAsync();
        await loop;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var machineEnd = MachineCpu();
        var total = Math.Max(1, machineEnd.Total - machineStart.Total);
        var cpu = new JsonObject { ["machine_busy_pct"] = Stats.R(100.0 * (machineEnd.Busy - machineStart.Busy) / total) };
        foreach (var (name, pid) in pids)
            cpu[name + "_pct_of_one_core"] = Stats.R(100.0 * (CpuTicks(pid) - cpuTicksStart[name]) / 100.0 / seconds);
        List<(long Outbox, long Pending)> b;
        lock (Backlog) b = [.. Backlog];
        List<long> q;
        lock (QueueDepth) q = [.. QueueDepth];
        return new JsonObject
        {
            ["backlog"] = new JsonObject
            {
                ["samples"] = b.Count,
                ["outbox_due_max"] = b.Count == 0 ? null : b.Max(x => x.Outbox),
                ["outbox_due_avg"] = b.Count == 0 ? null : Stats.R(b.Average(x => x.Outbox)),
                ["pending_max"] = b.Count == 0 ? null : b.Max(x => x.Pending),
                ["pending_avg"] = b.Count == 0 ? null : Stats.R(b.Average(x => x.Pending)),
                ["queue_depth_max"] = q.Count == 0 ? null : q.Max(),
                ["queue_depth_avg"] = q.Count == 0 ? null : Stats.R(q.Average()),
            },
            ["rss_max_mb"] = new JsonObject(MaxRssKb.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Stats.R(kv.Value / 1024.0)))),
            ["cpu"] = cpu,
        };
    }

    public static long RssKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return 0;
    }

    static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture); // utime, stime
        }
        catch (IOException) { return 0; }
    }

    static (long Busy, long Total) MachineCpu()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = f[3] + f[4];
        var total = f.Take(8).Sum();
        return (total - idle, total);
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested) await Finish();
    }
}

static class Load
{
    public static async Task<int> Run(Args a)
    {
        var url = a.Get("url");
        var db = a.Get("db");
        var levels = a.Get("levels", "1,8,32,128").Split(',').Select(int.Parse).ToArray();
        var duration = TimeSpan.FromSeconds(a.Num("duration", 15));
        var drainTimeout = TimeSpan.FromSeconds(a.Num("drain-timeout", 60));
        var pids = a.Get("pids", "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        var client = new Client(url, a.Get("key"), (int)a.Num("users", 64));
        using var queueProbe = QueueDepthProbe.FromArgs(a);
        var result = new JsonObject { ["label"] = a.Get("label", "all-in-one"), ["duration_s"] = duration.TotalSeconds };

        var warmup = a.Num("warmup", 3);
        if (warmup > 0)
        {
            // At the first level's concurrency: enough to compile the paths, without a backlog the first level would inherit.
            Console.Error.WriteLine($"[{result["label"]}] warm-up {warmup} s at {levels[0]} clients (not recorded)");
            await Closed(client, levels[0], TimeSpan.FromSeconds(warmup));
            await Drain(db, drainTimeout);
        }

        var xactsBefore = await TransactionCount.Read(db);
        var levelResults = new JsonArray();
        // The open-loop run at half the best end-to-end rate goes right after this level (before the saturating levels
        // leave a backlog that would take minutes to drain); -1 = not at all.
        var halfAfter = (int)a.Num("half-rate-after", -1);
        var halfDrain = TimeSpan.FromSeconds(a.Num("half-drain-timeout", 60));
        foreach (var c in levels)
        {
            Console.Error.WriteLine($"[{result["label"]}] {c} clients for {duration.TotalSeconds} s");
            var sampler = new Sampler(db, pids, queueProbe);
            var started = DateTime.UtcNow;
            var run = await Closed(client, c, duration);
            var ended = DateTime.UtcNow;
            var level = Http(run, duration.TotalSeconds);
            level["concurrency"] = c;
            var drained = await Drain(db, drainTimeout);
            foreach (var kv in await sampler.Finish()) level[kv.Key] = kv.Value?.DeepClone();
            level["e2e"] = await EndToEnd(db, run, started, ended, drained);
            levelResults.Add(level);
            PrintLevel(level);
            if (c == halfAfter)
                result["half_rate"] = await HalfRate(client, db, pids, levelResults, duration, halfDrain, result["label"]!.ToString(),
                    (int)a.Num("webhook-port", 0));
        }
        result["levels"] = levelResults;
        result["transactions"] = TransactionCount.PerTerminalPayment(xactsBefore, await TransactionCount.Read(db));

        await File.WriteAllTextAsync(a.Get("out"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    static async Task<JsonObject> HalfRate(Client client, string db, Dictionary<string, int> pids, JsonArray levelResults, TimeSpan duration,
        TimeSpan drainTimeout, string label, int webhookPort)
    {
        {
            var before = await Drain(db, drainTimeout);
            Console.Error.WriteLine($"[{label}] drained {before:F0} s before the open-loop run");
            // Half of the highest sustained end-to-end rate seen above, offered open-loop (a fixed arrival rate).
            var maxE2e = levelResults.Max(l => l!["e2e"]!["terminal_per_s"]?.GetValue<double>() ?? 0);
            var rate = Math.Max(1, maxE2e / 2);
            Console.Error.WriteLine($"[{label}] open loop at {rate:F0}/s (half of max e2e {maxE2e:F0}/s) for {duration.TotalSeconds} s");
            var sampler = new Sampler(db, pids);
            await using var webhooks = webhookPort > 0 ? await WebhookLatency.Start(client, webhookPort) : null;
            var started = DateTime.UtcNow;
            var run = await Open(client, rate, duration, 256);
            var ended = DateTime.UtcNow;
            var level = Http(run, duration.TotalSeconds);
            level["target_rate"] = Stats.R(rate);
            level["max_e2e_rate_seen"] = Stats.R(maxE2e);
            var drained = await Drain(db, drainTimeout);
            foreach (var kv in await sampler.Finish()) level[kv.Key] = kv.Value?.DeepClone();
            level["e2e"] = await EndToEnd(db, run, started, ended, drained);
            level["backlog_drain_before_s"] = Stats.R(before);
            if (webhooks is not null)
                level["webhooks"] = await webhooks.Measure(run.Results, drainTimeout);
            PrintLevel(level);
            return level;
        }
    }

    /// <param name="Skipped">Open loop: requests never sent (the in-flight cap was reached when they were due).</param>
    /// <param name="Late">Open loop: requests sent more than <see cref="LateAfter"/> after they were due (the generator fell behind).</param>
    sealed record RunData(List<Client.Result> Results, int Skipped, int Late = 0);

    static readonly TimeSpan LateAfter = TimeSpan.FromMilliseconds(10);
    /// <summary>The longest a closed-loop client honours a Retry-After, so a level still ends on time.</summary>
    static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    static async Task<RunData> Closed(Client client, int concurrency, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var bag = new ConcurrentBag<List<Client.Result>>();
        var counter = 0;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var mine = new List<Client.Result>(4096);
            // Bounded by time and by count (no client does more than 1M requests).
            for (var i = 0; i < 1_000_000 && Stopwatch.GetTimestamp() < deadline; i++)
            {
                var n = Interlocked.Increment(ref counter);
                var key = Guid.NewGuid().ToString();
                var result = await client.Create(n, key);
                mine.Add(result);
                // Shed: wait as told (bounded, and not past the level's end), then send the same request with the same key.
                while (result.Shed && Stopwatch.GetTimestamp() < deadline && i++ < 1_000_000)
                {
                    var wait = TimeSpan.FromSeconds(Math.Min(result.RetryAfterSeconds!.Value, MaxRetryAfter.TotalSeconds));
                    var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                    if (left <= wait) break;
                    await Task.Delay(wait);
                    mine.Add(result = await client.Create(n, key));
                }
            }
            bag.Add(mine);
        })).ToArray();
        await Task.WhenAll(workers);
        return new RunData(bag.SelectMany(x => x).ToList(), 0);
    }

    static async Task<RunData> Open(Client client, double rate, TimeSpan duration, int maxInFlight)
    {
        var results = new ConcurrentBag<Client.Result>();
        var inFlight = 0;
        var skipped = 0;
        var late = 0;
        var tasks = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var total = (int)(rate * duration.TotalSeconds);
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            if (Volatile.Read(ref inFlight) >= maxInFlight) { skipped++; continue; }
            if (Stopwatch.GetElapsedTime(due) > LateAfter) late++;
            Interlocked.Increment(ref inFlight);
            var n = i;
            tasks.Add(Task.Run(async () =>
            {
                // Timed from when it was due: a generator or a connection pool that falls behind shows in the latency.
                try { results.Add(await client.Create(n, scheduled: due)); }
                finally { Interlocked.Decrement(ref inFlight); }
            }));
        }
        await Task.WhenAll(tasks);
        return new RunData([.. results], skipped, late);
    }

    static JsonObject Http(RunData run, double seconds)
    {
        var ok = run.Results.Where(r => r.Status == 201).ToList();
        var errors = new JsonObject();
        var shed = run.Results.Count(r => r.Shed);
        foreach (var g in run.Results.Where(r => r.Status != 201 && !r.Shed).GroupBy(r => r.Error ?? r.Status.ToString(CultureInfo.InvariantCulture)))
            errors[g.Key] = g.Count();
        var o = new JsonObject
        {
            ["requests"] = run.Results.Count,
            ["created"] = ok.Count,
            // A 503 with Retry-After is the API shedding load as documented (the client retries), not an error.
            ["errors"] = run.Results.Count - ok.Count - shed,
            ["shed"] = shed,
            ["error_kinds"] = errors,
            ["rps"] = Stats.R(ok.Count / seconds),
            ["latency_ms"] = Stats.Summary(ok.Select(r => r.LatencyMs).ToList()),
        };
        if (run.Skipped > 0) o["skipped_in_flight_cap"] = run.Skipped;
        if (run.Late > 0) o["sent_late"] = run.Late;
        return o;
    }

    /// <summary>Waits (bounded) until no payment is PENDING and no outbox row is due; returns the seconds waited.</summary>
    static async Task<double> Drain(string db, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        for (var i = 0; i < 100_000 && sw.Elapsed < timeout; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT (SELECT count(*) FROM payments WHERE status = 'PENDING') + " +
                "(SELECT count(*) FROM outbox_messages WHERE enqueue_time IS NULL OR enqueue_time <= now())", conn);
            if ((long)(await cmd.ExecuteScalarAsync())! == 0) break;
            await Task.Delay(200);
        }
        return sw.Elapsed.TotalSeconds;
    }

    // terminal_per_s: every payment that reached SUCCESS/FAILED while the level's load ran, whichever level created it,
    // so a level that saturates the backend still reports the backend's rate. The latencies cover the level's own
    // payments that finished before the drain timeout.
    static async Task<JsonObject> EndToEnd(string db, RunData run, DateTime started, DateTime ended, double drainSeconds)
    {
        var created = run.Results.Where(r => r.PaymentId is not null).ToDictionary(r => r.PaymentId!.Value, r => r.ReceivedUtc);
        var latencies = new List<double>(created.Count);
        var terminal = 0;
        var pending = 0;
        var statuses = new Dictionary<string, int>();
        long finishedDuringLoad;
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        foreach (var chunk in created.Keys.Chunk(5000))
        {
            await using var cmd = new NpgsqlCommand("SELECT id, status, completed_at FROM payments WHERE id = ANY($1)", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                var status = r.GetString(1);
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (r.IsDBNull(2)) { pending++; continue; }
                var done = r.GetFieldValue<DateTime>(2);
                terminal++;
                latencies.Add(Math.Max(0, (done - created[r.GetGuid(0)]).TotalMilliseconds));
            }
        }
        var o = Stats.Summary(latencies);
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM payments WHERE completed_at >= $1 AND completed_at < $2", conn))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = started });
            count.Parameters.Add(new NpgsqlParameter { Value = ended });
            finishedDuringLoad = (long)(await count.ExecuteScalarAsync())!;
        }
        var window = (ended - started).TotalSeconds;
        // The backend alone: payments finished while the backlog drained after the load stopped (no new requests).
        long finishedDuringDrain;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM payments WHERE completed_at >= $1 AND completed_at < $2", conn))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = ended });
            count.Parameters.Add(new NpgsqlParameter { Value = ended.AddSeconds(drainSeconds) });
            finishedDuringDrain = (long)(await count.ExecuteScalarAsync())!;
        }
        return new JsonObject
        {
            ["created"] = created.Count,
            ["terminal"] = terminal,
            ["not_terminal"] = created.Count - terminal,
            ["statuses"] = new JsonObject(statuses.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["terminal_during_load"] = finishedDuringLoad,
            ["terminal_per_s"] = Stats.R(finishedDuringLoad / window),
            ["window_s"] = Stats.R(window),
            ["drain_wait_s"] = Stats.R(drainSeconds),
            ["terminal_during_drain"] = finishedDuringDrain,
            // Only a drain of a real backlog (more than a second of it) measures the backend's rate.
            ["drain_terminal_per_s"] = drainSeconds >= 1 ? Stats.R(finishedDuringDrain / drainSeconds) : null,
            ["latency_ms"] = o,
        };
    }

    static void PrintLevel(JsonObject l)
    {
        var lat = l["latency_ms"]!;
        var e2e = l["e2e"]!;
        Console.Error.WriteLine(
            $"  c={l["concurrency"] ?? "open"} rps={l["rps"]} p50={lat["p50"]} p95={lat["p95"]} p99={lat["p99"]} max={lat["max"]} errors={l["errors"]} shed={l["shed"]} " +
            $"| e2e/s={e2e["terminal_per_s"]} e2e p50={e2e["latency_ms"]!["p50"]} p99={e2e["latency_ms"]!["p99"]} not_terminal={e2e["not_terminal"]} " +
            $"| outbox max={l["backlog"]!["outbox_due_max"]} pending max={l["backlog"]!["pending_max"]} rss={l["rss_max_mb"]!.ToJsonString()} cpu={l["cpu"]!.ToJsonString()}");
    }
}

static class Startup
{
    /// <summary>Starts the API (a second, short-lived process) and times process start to the first 201.</summary>
    public static async Task<int> Run(Args a)
    {
        var dll = Path.GetFullPath(a.Get("dll"));
        var port = int.Parse(a.Get("port"), CultureInfo.InvariantCulture);
        var runs = (int)a.Num("runs", 3);
        var url = $"http://127.0.0.1:{port}";
        var client = new Client(url, a.Get("key"), 1);
        var times = new JsonArray();
        for (var run = 0; run < runs; run++)
        {
            var sw = Stopwatch.StartNew();
            using var process = ApiProcess.Start(dll, url);
            double? ms = null;
            try
            {
                // Bounded: 30 s or 3000 attempts.
                for (var i = 0; i < 3000 && sw.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited; i++)
                {
                    var r = await client.Create(i);
                    if (r.Status == 201) { ms = sw.Elapsed.TotalMilliseconds; break; }
                    await Task.Delay(5);
                }
            }
            finally
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            Console.Error.WriteLine($"  startup run {run + 1}: process start -> first 201 = {(ms is null ? "none" : $"{ms:F0} ms")}");
            times.Add(ms is null ? null : Stats.R(ms.Value));
        }
        var ok = times.Where(t => t is not null).Select(t => t!.GetValue<double>()).ToList();
        var o = new JsonObject { ["runs_ms"] = times, ["summary_ms"] = Stats.Summary(ok) };
        await File.WriteAllTextAsync(a.Get("out"), o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return ok.Count == runs ? 0 : 1;
    }
}
