using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Payments.Bench;

/// <summary>Merges one run's parts into results/&lt;timestamp&gt;.json, latest.json, summary.md and chart.dat.</summary>
static class Report
{
    public static int Run(Args a)
    {
        var outDir = a.Get("out-dir");
        Directory.CreateDirectory(outDir);
        // --from: a stored run's own figures again, after the analysis changed.
        if (a.Has("from"))
            return Publish(Read(a.Get("from"))!.AsObject(), outDir, a.Get("chart-data"));
        var allInOne = Read(a.Get("allinone"))!;
        var dist = a.Has("dist") ? Read(a.Get("dist")) : null;
        var startup = a.Has("startup") ? Read(a.Get("startup")) : null;
        var pgbench = ReadPgbench(a.Get("pgbench"));
        var stamp = a.Get("stamp");

        var ratios = new JsonArray();
        foreach (var l in allInOne["levels"]!.AsArray())
        {
            var c = l!["concurrency"]!.GetValue<int>();
            var tps = pgbench.FirstOrDefault(p => p["clients"]!.GetValue<int>() == c)?["tps"]?.GetValue<double>();
            var rps = l["rps"]?.GetValue<double>();
            ratios.Add(new JsonObject
            {
                ["clients"] = c,
                ["api_rps"] = rps,
                ["pgbench_tps"] = tps,
                ["api_over_pgbench"] = tps is > 0 && rps is not null ? Stats.R(rps.Value / tps.Value) : null,
            });
        }

        var result = new JsonObject
        {
            ["timestamp"] = stamp,
            ["machine"] = new JsonObject { ["cores"] = Environment.ProcessorCount, ["os"] = Environment.OSVersion.ToString() },
            ["git_commit"] = a.Get("commit", "unknown"),
            ["total_runtime_s"] = a.Has("total-s") ? double.Parse(a.Get("total-s"), CultureInfo.InvariantCulture) : null,
            ["all_in_one"] = allInOne.DeepClone(),
            ["pgbench"] = new JsonArray(pgbench.Select(p => (JsonNode?)p.DeepClone()).ToArray()),
            ["api_vs_pgbench"] = ratios,
            ["distributed"] = dist?.DeepClone(),
            ["startup"] = startup?.DeepClone(),
            ["tracing"] = a.Has("tracing") ? TracingReport.Read(a.Get("tracing"), startup) : null,
            ["backlog_start"] = a.Has("backlog") ? Read(a.Get("backlog")) : null,
        };
        return Publish(result, outDir, a.Get("chart-data"));
    }

    /// <summary>Targets, <c>{timestamp}.json</c>, <c>latest.json</c>, <c>summary.md</c> and the chart data of a run.</summary>
    static int Publish(JsonObject result, string outDir, string chartData)
    {
        var targets = Targets(result);
        result["targets"] = targets;
        var json = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var markdown = Markdown(result, targets);
        File.WriteAllText(Path.Combine(outDir, $"{result["timestamp"]}.json"), json);
        File.WriteAllText(Path.Combine(outDir, "latest.json"), json);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), markdown);
        File.WriteAllText(chartData, ChartData(result["all_in_one"]!, result["pgbench"]!.AsArray().Select(p => p!.AsObject()).ToList()));
        Console.WriteLine(markdown);
        return 0;
    }

    static JsonNode? Read(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;

    static List<JsonObject> ReadPgbench(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).Select(f => new JsonObject
        {
            ["clients"] = int.Parse(f[0], CultureInfo.InvariantCulture),
            ["tps"] = D(f[1]),
            ["latency_avg_ms"] = D(f[2]),
            ["latency_p50_ms"] = D(f[3]),
            ["latency_p99_ms"] = D(f[4]),
            ["transactions"] = D(f[5]),
            ["failed"] = D(f[6]),
        }).ToList();

    static JsonNode? D(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? Stats.R(v) : null;

    static double? Num(JsonNode? n) => n?.GetValue<double>();

    static JsonObject? Level(JsonNode r, int c) =>
        r["all_in_one"]!["levels"]!.AsArray().FirstOrDefault(l => l!["concurrency"]!.GetValue<int>() == c)?.AsObject();

    static JsonArray Targets(JsonObject r)
    {
        var t = new JsonArray();
        void Add(string name, double? value, string op, double target, string unit, string how)
        {
            bool? pass = value is null ? null : op switch { ">=" => value >= target, "<=" => value <= target, _ => value < target };
            string? by = value is null ? null
                : op == ">=" ? $"{(value.Value / target - 1) * 100:+0;-0}% vs target"
                : $"{(value.Value / target - 1) * 100:+0;-0}% vs limit";
            t.Add(new JsonObject
            {
                ["target"] = name, ["value"] = value is null ? null : Stats.R(value.Value), ["op"] = op, ["threshold"] = target,
                ["unit"] = unit, ["pass"] = pass, ["margin"] = by, ["how"] = how,
            });
        }

        var l32 = Level(r, 32);
        var pg32 = r["pgbench"]!.AsArray().FirstOrDefault(p => p!["clients"]!.GetValue<int>() == 32);
        var ceiling = Num(pg32?["tps"]);
        var rps32 = Num(l32?["rps"]);
        Add("API throughput at 32 clients ÷ pgbench ceiling at 32 (all-in-one)", rps32 / ceiling, ">=", 0.3, "×",
            "API 201/s ÷ pgbench TPS of api-write.sql, both at 32 clients");
        var distLevels = r["distributed"]?["levels"]?.AsArray() ?? [];
        var dist32 = distLevels.FirstOrDefault(l => l!["concurrency"]!.GetValue<int>() == 32);
        Add("API throughput at 32 clients ÷ pgbench ceiling at 32 (Role=Api)", Num(dist32?["rps"]) / ceiling, ">=", 0.5, "×",
            "the distributed mode's API (no consumers in its process) 201/s at 32 clients ÷ pgbench TPS at 32");
        Add("API p99 at 32 clients", Num(l32?["latency_ms"]?["p99"]), "<", 40, "ms", "HTTP latency of POST /payments (201s), all-in-one");
        var levels = r["all_in_one"]!["levels"]!.AsArray();
        var bestDrain = levels.Max(l => Num(l!["e2e"]!["drain_terminal_per_s"]) ?? 0);
        Add("All-in-one backend drain rate ÷ pgbench ceiling at 32", bestDrain / ceiling, ">=", 0.2, "×",
            $"best terminal/s while a level's backlog drained with no new requests ({bestDrain:F0}/s) ÷ pgbench TPS at 32 (aim 0.25)");
        var l128 = Level(r, 128);
        Add("Backend rate during the 128-client load ÷ its drain rate", Num(l128?["e2e"]?["terminal_per_s"]) / bestDrain, ">=", 0.5, "×",
            $"terminal/s while 128 clients ran ({Num(l128?["e2e"]?["terminal_per_s"]):F0}/s) ÷ the best drain rate; PENDING max during it " +
            $"{l128?["backlog"]?["pending_max"]} (admission bound 2000)");
        var half = r["all_in_one"]!["half_rate"];
        Add("201→terminal p99 at half of the maximum load", Num(half?["e2e"]?["latency_ms"]?["p99"]), "<", 500, "ms",
            $"open loop at {Num(half?["target_rate"]):F0}/s = half the best e2e rate of the levels before it (1 and 8 clients), after draining the backlog");
        // A mode's end-to-end throughput: the best rate at which its payments reached a terminal state over the same
        // client levels, while clients kept creating payments or while the backlog drained with the CPU to itself.
        var distClients = distLevels.Select(l => l!["concurrency"]!.GetValue<int>()).ToHashSet();
        var bestDist = distLevels.Count == 0 ? (double?)null : distLevels.Max(BestRate);
        var bestAio = levels.Where(l => distClients.Contains(l!["concurrency"]!.GetValue<int>())).Select(BestRate).DefaultIfEmpty(0).Max();
        Add("Distributed e2e terminal/s ÷ all-in-one e2e terminal/s", bestDist / bestAio, ">=", 0.5, "×",
            $"best terminal/s over the levels {string.Join("/", distClients.Order())}, during the load or while its backlog drained: " +
            $"API (Role=Api) + worker over the SQS/SNS emulator {bestDist:F0}/s vs all-in-one {bestAio:F0}/s");
        Add("Transactions per terminal payment (all-in-one)", Num(r["all_in_one"]!["transactions"]?["per_terminal_payment"]), "<=", 5, "",
            "pg_stat_database xact_commit delta ÷ payments finished, over the mode's levels and drains (the load generator's own samples included)");
        Add("Transactions per terminal payment (distributed)", Num(r["distributed"]?["transactions"]?["per_terminal_payment"]), "<=", 6, "",
            "as above, API (Role=Api) + worker over the SQS/SNS emulator");
        var backlog = r["backlog_start"];
        Add($"SIGTERM → exit on a {backlog?["backlog"]} backlog", Num(backlog?["sigterm_exit_s"]), "<", 30, "s",
            "the all-in-one process started on the backlog, stopped once half of it is terminal; within the host's 30 s shutdown timeout");
        var apiRss = levels.Max(l => Num(l!["rss_max_mb"]?["api"]) ?? 0);
        Add("API resident memory under load (all-in-one, max)", apiRss, "<", 200, "MB", "max VmRSS sampled every 500 ms over all levels");
        Add("API resident memory under load (distributed API)", distLevels.Count == 0 ? null : distLevels.Max(l => Num(l!["rss_max_mb"]?["api"]) ?? 0),
            "<", 200, "MB", "max VmRSS over the distributed levels");
        Add("Worker resident memory under load (distributed)", distLevels.Count == 0 ? null : distLevels.Max(l => Num(l!["rss_max_mb"]?["worker"]) ?? 0),
            "<", 200, "MB", "max VmRSS over the distributed levels");
        Add("Process start → first 201 (median)", Num(r["startup"]?["summary_ms"]?["p50"]), "<", 1000, "ms",
            "a second API process (all-in-one), timed from Process.Start to the first 201, polling every 5 ms");
        return t;
    }

    static double BestRate(JsonNode? level) =>
        Math.Max(Num(level!["e2e"]!["terminal_per_s"]) ?? 0, Num(level["e2e"]!["drain_terminal_per_s"]) ?? 0);

    static string F(JsonNode? n, string fmt = "F1") => n is null ? "–" : n.GetValue<double>().ToString(fmt, CultureInfo.InvariantCulture);

    static string Markdown(JsonObject r, JsonArray targets)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmark summary");
        sb.AppendLine();
        sb.AppendLine($"Run `{r["timestamp"]}` at commit `{r["git_commit"]}`, {r["machine"]!["cores"]} cores, total runtime {F(r["total_runtime_s"], "F0")} s " +
                      $"(`bash bench/run.sh`). Each level runs {F(r["all_in_one"]!["duration_s"], "F0")} s; Postgres with normal durability " +
                      "(fsync on, synchronous_commit on); fake gateway latency 5 ms. Load generator, API and Postgres share the same 2 cores, " +
                      "so every figure includes the cost of generating the load. Raw figures: `latest.json`.");
        sb.AppendLine();
        sb.AppendLine("## Targets (issues 5 and 13)");
        sb.AppendLine();
        sb.AppendLine("| Target | Measured | Threshold | Result | Margin | How |");
        sb.AppendLine("| --- | ---: | ---: | --- | --- | --- |");
        foreach (var t in targets)
        {
            var pass = t!["pass"] is null ? "not measured" : t["pass"]!.GetValue<bool>() ? "**pass**" : "**MISS**";
            sb.AppendLine($"| {t["target"]} | {F(t["value"], "0.##")} {t["unit"]} | {t["op"]} {t["threshold"]} {t["unit"]} | {pass} | {t["margin"] ?? "–"} | {t["how"]} |");
        }
        sb.AppendLine();
        sb.AppendLine("What the profile shows in the way of the missed targets, and what it removed: [profile.md](profile.md). " +
                      "The reliability run (`bash bench/reliability.sh`): [reliability.md](reliability.md).");
        sb.AppendLine();
        sb.AppendLine("## All-in-one: POST /payments at fixed concurrency, and end to end");
        sb.AppendLine();
        sb.AppendLine("| Clients | 201/s | p50 ms | p95 ms | p99 ms | max ms | errors | pgbench TPS | API ÷ pgbench | e2e terminal/s | drain terminal/s | 201→terminal p50 ms | p99 ms | not terminal | outbox due max/avg | PENDING max/avg | API RSS max MB | API CPU % of a core | machine busy % |");
        sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var l in r["all_in_one"]!["levels"]!.AsArray())
        {
            var c = l!["concurrency"]!.GetValue<int>();
            var ratio = r["api_vs_pgbench"]!.AsArray().First(x => x!["clients"]!.GetValue<int>() == c)!;
            sb.AppendLine(Row(l, c.ToString(CultureInfo.InvariantCulture), F(ratio["pgbench_tps"], "F0"), F(ratio["api_over_pgbench"], "F2")));
        }
        if (r["all_in_one"]!["half_rate"] is { } h)
            sb.AppendLine(Row(h, $"open loop {F(h["target_rate"], "F0")}/s", "", ""));
        sb.AppendLine();
        if (r["all_in_one"]!["half_rate"]?["webhooks"] is { } w)
        {
            sb.AppendLine($"**Webhooks at the open-loop rate**: every bench user has one endpoint (a loopback receiver in the load generator " +
                          $"that verifies each signature with StandardWebhooks); 201 → webhook received: p50 {F(w["latency_ms"]?["p50"], "F0")} ms, " +
                          $"p95 {F(w["latency_ms"]?["p95"], "F0")} ms, p99 {F(w["latency_ms"]?["p99"], "F0")} ms, max {F(w["latency_ms"]?["max"], "F0")} ms " +
                          $"over {w["received"]} of {w["payments"]} payments ({w["missing"]} missing after the drain, {w["duplicates"]} duplicates, " +
                          $"{w["signature_refused"]} refused signatures).");
            sb.AppendLine();
        }
        sb.AppendLine("Latencies are of the 201 responses; errors are any other answer or a client exception (kinds in the JSON). " +
                      "\"e2e terminal/s\" = payments (whichever level created them) that reached SUCCESS/FAILED while the level's load ran ÷ the level's duration: " +
                      "the backend's rate at that load, its processing throughput when the level saturates it. \"drain terminal/s\" = payments finished while the " +
                      "backlog drained after the level stopped (no new requests; shown when the drain took a second or more): the backend's rate with the CPU to itself. The run waits for the " +
                      "backlog to drain for a bounded time (20 s; 30 s distributed) after each level, and \"not terminal\" counts the level's payments still PENDING after that: " +
                      "when a level creates payments faster than they are processed, its 201→terminal latencies grow with the backlog (closed loop, no admission control) and cover only the payments that finished. " +
                      "The open-loop row offers a fixed rate instead. Backlog = outbox rows due now and " +
                      "payments still PENDING, sampled every 500 ms during the level and its drain.");
        sb.AppendLine();
        sb.AppendLine("## Ceiling: pgbench running the API's write transaction (`bench/api-write.sql`, `-M prepared`)");
        sb.AppendLine();
        sb.AppendLine("| Clients | TPS | avg ms | p50 ms | p99 ms | transactions | failed |");
        sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var p in r["pgbench"]!.AsArray())
            sb.AppendLine($"| {p!["clients"]} | {F(p["tps"], "F0")} | {F(p["latency_avg_ms"], "F2")} | {F(p["latency_p50_ms"], "F2")} | {F(p["latency_p99_ms"], "F2")} | {F(p["transactions"], "F0")} | {F(p["failed"], "F0")} |");
        sb.AppendLine();
        if (r["distributed"] is { } d)
        {
            sb.AppendLine("## Distributed: API (Role=Api) + worker over the SQS/SNS emulator");
            sb.AppendLine();
            sb.AppendLine("| Clients | 201/s | p50 ms | p95 ms | p99 ms | max ms | errors | e2e terminal/s | drain terminal/s | 201→terminal p50 ms | p99 ms | not terminal | outbox due max/avg | PENDING max/avg | SQS queued max/avg | RSS max MB | CPU % of a core | machine busy % |");
            sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var l in d["levels"]!.AsArray())
                sb.AppendLine(Row(l!, l!["concurrency"]!.ToString(), null, null));
            sb.AppendLine();
            sb.AppendLine("SQS queued = messages waiting or in flight in the worker's queues (payment-state, charge-payment, reconcile-charge), sampled from the emulator every 500 ms.");
            sb.AppendLine();
        }
        if (r["startup"] is { } s)
        {
            sb.AppendLine("## Startup");
            sb.AppendLine();
            sb.AppendLine($"Process start → first 201 over {s["runs_ms"]!.AsArray().Count} runs: {string.Join(", ", s["runs_ms"]!.AsArray().Select(x => x is null ? "none" : F(x, "F0") + " ms"))} " +
                          $"(median {F(s["summary_ms"]!["p50"], "F0")} ms).");
            sb.AppendLine();
        }
        if (r["backlog_start"] is { } bs)
        {
            sb.AppendLine($"## Start on a backlog of {bs["backlog"]} payments");
            sb.AppendLine();
            sb.AppendLine($"An all-in-one process started on {bs["backlog"]} PENDING payments, each with its `PaymentRequested` in the outbox: " +
                          $"first terminal payment {F(bs["first_terminal_s"], "F1")} s after process start, the median one (half the backlog terminal) " +
                          $"{F(bs["median_terminal_s"], "F1")} s (bounded at {F(bs["timeout_s"], "F0")} s; {bs["terminal_at_stop"]} terminal at the stop), " +
                          $"RSS max {bs["rss_max_mb"]} MB; SIGTERM with the rest still queued → exit in {F(bs["sigterm_exit_s"], "F1")} s.");
            sb.AppendLine();
        }
        sb.Append(TracingReport.Markdown(r["tracing"]));
        sb.AppendLine("![throughput and latency against concurrency](throughput-latency.png)");
        return sb.ToString();
    }

    static string Row(JsonNode l, string label, string? pgTps, string? ratio)
    {
        var lat = l["latency_ms"]!;
        var e = l["e2e"]!;
        var b = l["backlog"]!;
        var rss = string.Join(" / ", l["rss_max_mb"]!.AsObject().Select(kv => $"{kv.Key} {F(kv.Value, "F0")}"));
        var cpu = string.Join(" / ", l["cpu"]!.AsObject().Where(kv => kv.Key != "machine_busy_pct").Select(kv => $"{kv.Key.Replace("_pct_of_one_core", "")} {F(kv.Value, "F0")}"));
        var cells = new List<string>
        {
            label, F(l["rps"], "F0"), F(lat["p50"], "F2"), F(lat["p95"], "F2"), F(lat["p99"], "F2"), F(lat["max"], "F1"), l["errors"]!.ToString() + (l["shed"]?.GetValue<int>() is > 0 and var shed ? $" (+{shed} shed)" : ""),
        };
        if (pgTps is not null) { cells.Add(pgTps); cells.Add(ratio!); }
        cells.AddRange([
            F(e["terminal_per_s"], "F0"), F(e["drain_terminal_per_s"], "F0"), F(e["latency_ms"]!["p50"], "F0"), F(e["latency_ms"]!["p99"], "F0"), e["not_terminal"]!.ToString(),
            $"{b["outbox_due_max"]} / {F(b["outbox_due_avg"], "F0")}", $"{b["pending_max"]} / {F(b["pending_avg"], "F0")}",
        ]);
        if (pgTps is null)
            cells.Add(b["queue_depth_max"] is null ? "–" : $"{b["queue_depth_max"]} / {F(b["queue_depth_avg"], "F0")}");
        cells.Add(pgTps is null ? rss : F(l["rss_max_mb"]!["api"], "F0"));
        cells.Add(pgTps is null ? cpu : F(l["cpu"]!["api_pct_of_one_core"], "F0"));
        cells.Add(F(l["cpu"]!["machine_busy_pct"], "F0"));
        return "| " + string.Join(" | ", cells) + " |";
    }

    static string ChartData(JsonNode allInOne, List<JsonObject> pgbench)
    {
        var sb = new StringBuilder("# clients api_rps api_p99_ms pgbench_tps pgbench_p99_ms e2e_terminal_per_s\n");
        foreach (var l in allInOne["levels"]!.AsArray())
        {
            var c = l!["concurrency"]!.GetValue<int>();
            var p = pgbench.FirstOrDefault(x => x["clients"]!.GetValue<int>() == c);
            sb.AppendLine(string.Join(' ', c, F(l["rps"], "F1"), F(l["latency_ms"]!["p99"], "F2"), F(p?["tps"], "F1"), F(p?["latency_p99_ms"], "F2"),
                F(l["e2e"]!["terminal_per_s"], "F1")).Replace("–", "NaN"));
        }
        return sb.ToString();
    }
}
