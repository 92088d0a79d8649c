using Npgsql;

namespace Payments.TestSupport;

/// <summary>Direct reads of the test database, to assert what was really committed.</summary>
public sealed class Sql(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    public async Task<long> Count(string table, string where = "true")
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<T>> Query<T>(string sql, Func<NpgsqlDataReader, T> map)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(map(reader));
        return rows;
    }

    public async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Polls <paramref name="measure"/> until it reaches <paramref name="target"/>; fails when it has not grown for
    /// <paramref name="stall"/>, or at <paramref name="ceiling"/>. For work whose pace is the CPU a test gets (a cold process
    /// beside the other test hosts of a CI run): it checks that the work keeps moving and ends, not how fast it goes.
    /// </summary>
    public static async Task WaitForProgress(Func<Task<long>> measure, long target, TimeSpan stall, TimeSpan ceiling, string what)
    {
        var started = DateTime.UtcNow;
        var lastMoved = started;
        var last = await measure();
        while (last < target)
        {
            var now = DateTime.UtcNow;
            if (now - lastMoved > stall)
                throw new TimeoutException($"No progress for {stall.TotalSeconds:0.#}s towards: {what} (at {last} of {target})");
            if (now - started > ceiling)
                throw new TimeoutException($"Not done after {ceiling.TotalSeconds:0.#}s: {what} (at {last} of {target})");
            await Task.Delay(200);
            var current = await measure();
            if (current > last)
                lastMoved = DateTime.UtcNow;
            last = current;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
