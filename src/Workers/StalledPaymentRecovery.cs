using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Sagas;

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
/// Puts back messages that a non-durable transport (the in-memory one of the all-in-one mode) lost when its
/// process died with them in flight, so that no payment waits forever:
/// <list type="bullet">
/// <item>a PENDING payment that never reached the saga gets its <see cref="PaymentRequested"/> again; the saga is
/// keyed by payment id, so a late original and the re-publish still make one saga;</item>
/// <item>a saga waiting on a timeout or retry that is no longer in the outbox gets that scheduled message again,
/// with the schedule's token, so the saga accepts it exactly as it would have accepted the original.</item>
/// </list>
/// Everything goes out through the outbox.
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

    public async Task<int> RunOnce(CancellationToken cancellationToken) =>
        await RepublishLostRequests(cancellationToken) + await ResendLostSchedules(cancellationToken);

    async Task<int> RepublishLostRequests(CancellationToken cancellationToken)
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

    async Task<int> ResendLostSchedules(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var send = scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>();
        var before = DateTimeOffset.UtcNow - options.Value.StalledAfter;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var waiting = await db.PaymentSagas
            .FromSql($"""
                      SELECT s.* FROM payment_sagas s
                       WHERE s.current_state IN ('Charging', 'AwaitingRetry', 'Reconciling') AND s.updated_at < {before}
                         AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.correlation_id = s.correlation_id)
                       ORDER BY s.updated_at
                       LIMIT {BatchSize}
                       FOR UPDATE SKIP LOCKED
                      """)
            .ToListAsync(cancellationToken);

        var sagaEndpoint = await send.GetSendEndpoint(new Uri($"queue:{EndpointNames.PaymentSaga}"));
        var resent = 0;
        foreach (var saga in waiting)
        {
            var retry = saga.CurrentState == "AwaitingRetry";
            if ((retry ? saga.ChargeRetryTokenId : saga.ChargeTimeoutTokenId) is not { } tokenId)
                continue;
            var token = tokenId.ToString("D");
            if (retry)
                await sagaEndpoint.Send(new ChargeRetryDue(saga.CorrelationId),
                    (SendContext<ChargeRetryDue> c) => c.Headers.Set(MessageHeaders.SchedulingTokenId, token), cancellationToken);
            else
                await sagaEndpoint.Send(new ChargeTimeoutExpired(saga.CorrelationId),
                    (SendContext<ChargeTimeoutExpired> c) => c.Headers.Set(MessageHeaders.SchedulingTokenId, token), cancellationToken);
            // Not again before another StalledAfter, should this one be lost too.
            saga.UpdatedAt = DateTimeOffset.UtcNow;
            resent++;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (resent > 0)
            logger.LogWarning("Re-sent the lost scheduled message of {Count} waiting payment sagas", resent);
        return resent;
    }
}
