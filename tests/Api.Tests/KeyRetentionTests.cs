using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Persistence;
using Payments.TestSupport;

namespace Payments.Api.Tests;

public class KeyRetentionTests : IAsyncLifetime
{
    ApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await ApiFactory.Start();
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Keys_are_kept_for_at_least_a_day_then_removed_by_the_cleanup_job()
    {
        var user = Guid.NewGuid();
        await PaymentRequests.Post(_api.ClientFor(user), PaymentRequests.Body(user), "fresh");
        await PaymentRequests.Post(_api.ClientFor(user), PaymentRequests.Body(user, amount: 7), "old");
        await _api.Sql.Execute($"UPDATE idempotency_keys SET created_at = now() - interval '25 hours 1 minute' WHERE key = 'old'");

        var cleanup = _api.Services.GetServices<IHostedService>().OfType<RetentionCleanupService>().Single();
        var (keys, _) = await cleanup.RunOnce(CancellationToken.None);

        Assert.Equal(1, keys);
        Assert.Equal(1, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}' AND key = 'fresh'"));
        Assert.Equal(0, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}' AND key = 'old'"));
    }
}
