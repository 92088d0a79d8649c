using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Payments.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model; it never connects.</summary>
sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PaymentsDbContext>
{
    public PaymentsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql(PersistenceRegistration.DataSource("Host=127.0.0.1;Database=payments", password: null)).Options);
}
