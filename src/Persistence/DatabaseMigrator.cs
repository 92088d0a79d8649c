using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence;

/// <summary>Applies pending EF Core migrations; run explicitly (the <c>migrate</c> verb), never implicitly at start-up.</summary>
public static class DatabaseMigrator
{
    public static async Task Migrate(string connectionString, DatabasePasswordSource? password = null, CancellationToken cancellationToken = default)
    {
        // A one-off: no pool to linger on the database after it returns (callers may drop or rename it).
        var unpooled = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var dataSource = PersistenceRegistration.DataSource(unpooled, password);
        var options = new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql(dataSource).Options;
        await using var db = new PaymentsDbContext(options);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
