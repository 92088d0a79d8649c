using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Payments.Persistence;

/// <summary>
/// Deletes idempotency keys and inbox rows older than their retention, in small batches. Payments are kept, and so is their
/// history (<c>payment_events</c>): it lives as long as the payment it describes.
/// </summary>
public sealed partial class RetentionCleanupService(IServiceScopeFactory scopeFactory, IOptions<RetentionOptions> options,
    ILogger<RetentionCleanupService> logger) : BackgroundService
{
    const int BatchSize = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval);
        try
        {
            do
            {
                try
                {
                    await RunOnce(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogCleanupFailed(logger, exception, options.Value.CleanupInterval);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<(int Keys, int InboxRows)> RunOnce(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var keysBefore = DateTimeOffset.UtcNow - options.Value.IdempotencyKeys;
        var inboxBefore = DateTime.UtcNow - options.Value.InboxMessages;

        int keys = 0, inbox = 0, deleted;
        do
        {
            deleted = await db.Database.ExecuteSqlAsync(
                $"DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < {keysBefore} LIMIT {BatchSize})",
                cancellationToken);
            keys += deleted;
        } while (deleted == BatchSize);

        do
        {
            deleted = await db.Database.ExecuteSqlAsync(
                $"DELETE FROM inbox_states WHERE ctid IN (SELECT ctid FROM inbox_states WHERE delivered < {inboxBefore} LIMIT {BatchSize})",
                cancellationToken);
            inbox += deleted;
        } while (deleted == BatchSize);

        if (keys + inbox > 0)
            LogCleanedUp(logger, keys, inbox);
        return (keys, inbox);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention cleanup failed; it runs again in {Interval}")]
    static partial void LogCleanupFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention cleanup removed {Keys} idempotency keys and {InboxRows} inbox rows")]
    static partial void LogCleanedUp(ILogger logger, int keys, int inboxRows);
}
