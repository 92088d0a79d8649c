using System.Text.Json.Nodes;
using Npgsql;

namespace Payments.Bench;

/// <summary>
/// Transactions the database committed per payment that reached a terminal state, over a whole mode's run (its levels and
/// their drains): <c>pg_stat_database.xact_commit</c> delta ÷ payments finished. It counts every committed transaction in
/// the database, read-only ones and the load generator's own samples included (a few per second), so it is an upper bound.
/// </summary>
static class TransactionCount
{
    public sealed record Snapshot(long Commits, long Terminal);

    public static async Task<Snapshot> Read(string db)
    {
        // A new connection each time: a backend's statistics snapshot is cached until its transaction ends.
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        // Backends report their counters when idle, at most once a second: wait that long so the delta is complete.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var cmd = new NpgsqlCommand(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), " +
            "(SELECT count(*) FROM payments WHERE completed_at IS NOT NULL)", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return new Snapshot(r.GetInt64(0), r.GetInt64(1));
    }

    public static JsonObject PerTerminalPayment(Snapshot before, Snapshot after)
    {
        var commits = after.Commits - before.Commits;
        var finished = after.Terminal - before.Terminal;
        return new JsonObject
        {
            ["xact_commit_delta"] = commits,
            ["payments_finished"] = finished,
            ["per_terminal_payment"] = finished > 0 ? Stats.R((double)commits / finished) : null,
        };
    }
}
