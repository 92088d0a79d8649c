using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.TestSupport;
using Payments.Workers;

namespace Payments.Persistence.Tests;

public class StalledPaymentRecoveryTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync() => _sql = new Sql(await TestPostgres.CreateDatabase());
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_pending_payment_whose_request_message_was_lost_is_picked_up_again_and_completes()
    {
        var lost = Guid.NewGuid();
        var recent = Guid.NewGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{lost}', gen_random_uuid(), 500, 'USD', 'PENDING', now() - interval '10 minutes', now() - interval '10 minutes'),
                   ('{recent}', gen_random_uuid(), 500, 'USD', 'PENDING', now(), now());
            """);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers());
        var recovery = host.Services.GetServices<IHostedService>().OfType<StalledPaymentRecovery>().Single();

        Assert.Equal(1, await recovery.RunOnce(CancellationToken.None));

        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{lost}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(15), "the recovered payment to succeed");
        Assert.Equal(1, await _sql.Count("payments", $"id = '{recent}' AND status = 'PENDING'"));
        Assert.Equal(0, await recovery.RunOnce(CancellationToken.None));
        await host.StopAsync();
    }
}
