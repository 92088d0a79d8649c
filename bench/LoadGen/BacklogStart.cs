using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Payments.Bench;

/// <summary>
/// An all-in-one process started on a backlog of PENDING payments (each with its <c>PaymentRequested</c> waiting in the
/// outbox, as after an outage of the consumers): seconds from process start to the first terminal payment and to the
/// median one (half the backlog terminal), its RSS, then SIGTERM and the seconds to its exit with the rest still queued.
/// The backlog is one payment made through the API (delivery held) copied in SQL, each copy with its own payment, message
/// and owner. Bounded by <c>--timeout</c>; the database must be fresh and migrated.
/// </summary>
static class BacklogStart
{
    public static async Task<int> Run(Args a)
    {
        var dll = Path.GetFullPath(a.Get("dll"));
        var db = a.Get("db");
        var count = (int)a.Num("count", 30_000);
        var timeout = TimeSpan.FromSeconds(a.Num("timeout", 150));
        var url = $"http://127.0.0.1:{a.Get("port")}";
        var client = new Client(url, a.Get("key"), 1);

        using (var held = ApiProcess.Start(dll, url, Settings(db, deliveryHeld: true)))
        {
            await FirstCreated(client, held);
            held.Kill(entireProcessTree: true);
            await held.WaitForExitAsync();
        }
        await Copy(db, count);
        Console.Error.WriteLine($"  backlog: {count} PENDING payments with their PaymentRequested in the outbox");

        var clock = Stopwatch.StartNew();
        using var process = ApiProcess.Start(dll, url, Settings(db, deliveryHeld: false));
        double? first = null, median = null;
        long rssMaxKb = 0, terminal = 0;
        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            while (clock.Elapsed < timeout && median is null && !process.HasExited)
            {
                await Task.Delay(100);
                rssMaxKb = Math.Max(rssMaxKb, Sampler.RssKb(process.Id));
                await using var cmd = new NpgsqlCommand("SELECT count(*) FROM payments WHERE status <> 'PENDING'", conn);
                terminal = (long)(await cmd.ExecuteScalarAsync())!;
                if (terminal >= 1) first ??= clock.Elapsed.TotalSeconds;
                if (terminal >= count / 2) median = clock.Elapsed.TotalSeconds;
            }
        }

        // SIGTERM with most of the backlog still queued: the process hands over only a bounded number of messages, so it
        // has little to finish however deep the backlog.
        var stopping = Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        using var exitDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        double? exitSeconds = null;
        try
        {
            await process.WaitForExitAsync(exitDeadline.Token);
            exitSeconds = stopping.Elapsed.TotalSeconds;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        Console.Error.WriteLine($"  backlog start: first terminal {first:F1} s, median {median:F1} s, RSS max {rssMaxKb / 1024} MB, " +
            $"SIGTERM -> exit {exitSeconds:F1} s with {count - terminal} still PENDING");

        var o = new JsonObject
        {
            ["backlog"] = count,
            ["first_terminal_s"] = first is null ? null : Stats.R(first.Value),
            ["median_terminal_s"] = median is null ? null : Stats.R(median.Value),
            ["timeout_s"] = timeout.TotalSeconds,
            ["terminal_at_stop"] = terminal,
            ["rss_max_mb"] = rssMaxKb / 1024,
            ["sigterm_exit_s"] = exitSeconds is null ? null : Stats.R(exitSeconds.Value),
        };
        await File.WriteAllTextAsync(a.Get("out"), o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return median is not null && exitSeconds is not null ? 0 : 1;
    }

    static Dictionary<string, string> Settings(string db, bool deliveryHeld) => new()
    {
        ["ConnectionStrings__Payments"] = db,
        ["Payments__Role"] = "AllInOne",
        ["Payments__Outbox__DeliveryEnabled"] = deliveryHeld ? "false" : "true",
    };

    static async Task FirstCreated(Client client, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
        {
            if ((await client.Create(0)).Status == 201)
                return;
            await Task.Delay(50);
        }
        throw new InvalidOperationException("the API (delivery held) did not create the template payment");
    }

    static async Task Copy(string db, int count)
    {
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            CREATE TEMP TABLE template AS
              SELECT p.id AS payment_id, o.message_id, o.sequence_number FROM payments p JOIN outbox_messages o ON o.correlation_id = p.id;
            CREATE TEMP TABLE copies AS
              SELECT gen_random_uuid() AS payment_id, gen_random_uuid() AS message_id, gen_random_uuid() AS user_id FROM generate_series(1, {count - 1});
            INSERT INTO payments (id, user_id, amount, currency, description, metadata, status, created_at, updated_at)
              SELECT c.payment_id, c.user_id, p.amount, p.currency, p.description, p.metadata, p.status, p.created_at, p.updated_at
                FROM copies c CROSS JOIN template t JOIN payments p ON p.id = t.payment_id;
            INSERT INTO outbox_messages (message_id, sent_time, content_type, message_type, body, headers, properties, conversation_id,
                                         correlation_id, source_address, destination_address, attempts)
              SELECT c.message_id, o.sent_time, o.content_type, o.message_type,
                     replace(replace(o.body, t.payment_id::text, c.payment_id::text), t.message_id::text, c.message_id::text),
                     o.headers, o.properties, gen_random_uuid(), c.payment_id, o.source_address, o.destination_address, 0
                FROM copies c CROSS JOIN template t JOIN outbox_messages o ON o.sequence_number = t.sequence_number;
            ANALYZE payments; ANALYZE outbox_messages;
            """, conn) { CommandTimeout = 120 };
        await cmd.ExecuteNonQueryAsync();
    }
}
