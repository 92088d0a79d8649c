using Microsoft.EntityFrameworkCore;
using Npgsql;
using Payments.Persistence;

namespace Payments.TestSupport;

/// <summary>
/// Databases on the real Postgres that scripts/test.sh starts. Each test class gets its own database, copied
/// from a template migrated once per run, so tests can run in parallel without seeing each other's rows.
/// </summary>
public static class TestPostgres
{
    // Named after the newest migration, so a template left over from an older schema is never reused.
    static readonly string Template = "tpl_" + LatestMigration().ToLowerInvariant();
    static readonly SemaphoreSlim TemplateGate = new(1, 1);
    static bool _templateReady;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("PAYMENTS_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "PAYMENTS_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts a throwaway Postgres.");

    public static async Task<string> CreateDatabase()
    {
        await EnsureTemplate();
        var name = "t_" + Guid.NewGuid().ToString("N")[..20];
        await using (var admin = await Open("postgres"))
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {Template}", admin))
            await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    static string LatestMigration()
    {
        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql("Host=unused").Options;
        using var db = new PaymentsDbContext(options);
        return Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetMigrations(db.Database).Last();
    }

    public static string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, MaxPoolSize = 40 }.ConnectionString;

    static async Task EnsureTemplate()
    {
        if (_templateReady)
            return;
        await TemplateGate.WaitAsync();
        try
        {
            if (_templateReady)
                return;
            await using var admin = await Open("postgres");
            // Test assemblies run in parallel processes: an advisory lock makes one of them build the template.
            await Execute(admin, "SELECT pg_advisory_lock(727274)");
            try
            {
                await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{Template}'", admin);
                if (await exists.ExecuteScalarAsync() is null)
                {
                    await Execute(admin, $"CREATE DATABASE {Template}_building");
                    await DatabaseMigrator.Migrate(ConnectionString($"{Template}_building"));
                    NpgsqlConnection.ClearAllPools();
                    await Execute(admin, $"ALTER DATABASE {Template}_building RENAME TO {Template}");
                }
            }
            finally
            {
                await Execute(admin, "SELECT pg_advisory_unlock(727274)");
            }
            _templateReady = true;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    static async Task<NpgsqlConnection> Open(string database)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
