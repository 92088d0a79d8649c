using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence;

/// <summary>Applies pending EF Core migrations; run explicitly (the <c>migrate</c> verb), never implicitly at start-up.</summary>
public static class DatabaseMigrator
{
    public static async Task Migrate(string connectionString, CancellationToken cancellationToken = default)
    {
        var options = new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql(connectionString, PaymentsDbContext.ConfigureNpgsql).Options;
        await using var db = new PaymentsDbContext(options);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
