using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Persistence;

namespace Payments.Workers;

public class StalledPaymentOptions
{
    public const string Section = "Payments:StalledPayments";

    /// <summary>A PENDING payment with no saga after this long lost its PaymentRequested on the way.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Re-publishes <see cref="PaymentRequested"/> (through the outbox) for payments that never reached the saga,
/// which happens when a non-durable transport (the in-memory one of the all-in-one mode) dies with the message
/// in it. The saga is keyed by payment id, so a late original and the re-publish still make one saga.
/// </summary>
public sealed class StalledPaymentRecovery(IServiceScopeFactory scopeFactory, IOptions<StalledPaymentOptions> options,
    ILogger<StalledPaymentRecovery> logger) : BackgroundService
{
    const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnce(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Stalled payment check failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<int> RunOnce(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var before = DateTimeOffset.UtcNow - options.Value.StalledAfter;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stalled = await db.Payments
            .FromSql($"""
                      SELECT p.* FROM payments p
                       WHERE p.status = {PaymentStatus.Pending} AND p.created_at < {before}
                         AND NOT EXISTS (SELECT 1 FROM payment_sagas s WHERE s.correlation_id = p.id)
                       ORDER BY p.created_at
                       LIMIT {BatchSize}
                       FOR UPDATE SKIP LOCKED
                      """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        foreach (var p in stalled)
            await publish.Publish(new PaymentRequested(p.Id, p.UserId, p.Amount, p.Currency, p.Description, p.CreatedAt), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (stalled.Count > 0)
            logger.LogWarning("Re-published PaymentRequested for {Count} payments that never reached the saga", stalled.Count);
        return stalled.Count;
    }
}
