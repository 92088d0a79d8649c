using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence;

/// <summary>Applies pending EF Core migrations; run explicitly (the <c>migrate</c> verb), never implicitly at start-up.</summary>
public static class DatabaseMigrator
{
    public static async Task Migrate(string connectionString, CancellationToken cancellationToken = default)
    {
        // A one-off: no pool to linger on the database after it returns (callers may drop or rename it).
        var unpooled = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var options = new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql(unpooled, PaymentsDbContext.ConfigureNpgsql).Options;
        await using var db = new PaymentsDbContext(options);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
