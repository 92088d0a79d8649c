using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Sagas;

namespace Payments.Processing.Recovery;

/// <summary>
/// Puts back messages that a non-durable transport (the in-memory one of the all-in-one mode) lost when its
/// process died with them in flight, so that no payment waits forever:
/// <list type="bullet">
/// <item>a PENDING payment that never reached the saga gets its <see cref="PaymentRequested"/> again; the saga is
/// keyed by payment id, so a late original and the re-publish still make one saga;</item>
/// <item>likewise a PENDING refund that never reached the refund saga gets its <see cref="RefundRequested"/> again;</item>
/// <item>a payment or refund saga waiting on a timeout or retry that is no longer in the outbox gets that scheduled
/// message again, with the schedule's token, so the saga accepts it exactly as it would have accepted the original.</item>
/// </list>
/// Everything goes out through the outbox.
/// </summary>
public sealed partial class StalledPaymentRecovery(IServiceScopeFactory scopeFactory, PaymentStateMachine machine, RefundStateMachine refundMachine,
    IOptions<StalledPaymentOptions> options, ILogger<StalledPaymentRecovery> logger) : BackgroundService
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
                    LogCheckFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<int> RunOnce(CancellationToken cancellationToken) =>
        await RepublishLostRequests(cancellationToken) + await RepublishLostRefundRequests(cancellationToken) +
        await ResendLostSchedules(cancellationToken) + await ResendLostRefundSchedules(cancellationToken);

    async Task<int> RepublishLostRequests(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IPaymentRecoveryStore>();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();

        var count = await store.WithPaymentsNeverSeenBySaga(DateTimeOffset.UtcNow - options.Value.StalledAfter, BatchSize, async stalled =>
        {
            foreach (var p in stalled)
                await publish.Publish(new PaymentRequested(p.Id, p.UserId, p.Amount, p.Currency, p.Description, p.CreatedAt), cancellationToken);
        }, cancellationToken);

        if (count > 0)
            LogRepublished(logger, count);
        return count;
    }

    async Task<int> RepublishLostRefundRequests(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IPaymentRecoveryStore>();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();

        var count = await store.WithRefundsNeverSeenBySaga(DateTimeOffset.UtcNow - options.Value.StalledAfter, BatchSize, async stalled =>
        {
            foreach (var r in stalled)
                await publish.Publish(new RefundRequested(r.Id, r.PaymentId, r.UserId, r.Amount, r.Currency, r.Reason, r.CreatedAt),
                    cancellationToken);
        }, cancellationToken);

        if (count > 0)
            LogRepublishedRefunds(logger, count);
        return count;
    }

    Task<int> ResendLostSchedules(CancellationToken cancellationToken) =>
        ResendLostTimers<PaymentState>([machine.Charging.Name, machine.AwaitingRetry.Name, machine.Reconciling.Name], EndpointNames.PaymentSaga,
            saga => saga.CurrentState == machine.AwaitingRetry.Name
                ? saga.ChargeRetryTokenId is { } retry ? new LostTimer(new ChargeRetryDue(saga.CorrelationId), retry) : null
                : saga.ChargeTimeoutTokenId is { } timeout ? new LostTimer(new ChargeTimeoutExpired(saga.CorrelationId), timeout) : null,
            saga => saga.UpdatedAt = DateTimeOffset.UtcNow, cancellationToken);

    Task<int> ResendLostRefundSchedules(CancellationToken cancellationToken) =>
        ResendLostTimers<RefundState>([refundMachine.Refunding.Name, refundMachine.AwaitingRetry.Name, refundMachine.Reconciling.Name],
            EndpointNames.RefundSaga,
            saga => saga.CurrentState == refundMachine.AwaitingRetry.Name
                ? saga.RefundRetryTokenId is { } retry ? new LostTimer(new RefundRetryDue(saga.CorrelationId), retry) : null
                : saga.RefundTimeoutTokenId is { } timeout ? new LostTimer(new RefundTimeoutExpired(saga.CorrelationId), timeout) : null,
            saga => saga.UpdatedAt = DateTimeOffset.UtcNow, cancellationToken);

    /// <summary>The scheduled message a waiting saga lost, and the token its schedule gave it.</summary>
    sealed record LostTimer(object Message, Guid TokenId);

    /// <summary>
    /// Sagas in <paramref name="waitingOnATimer"/> states whose timer is gone get it again on <paramref name="sagaQueue"/>,
    /// with the schedule's token; <paramref name="markResent"/> moves their <c>updated_at</c>, so not again before another
    /// StalledAfter, should this one be lost too.
    /// </summary>
    async Task<int> ResendLostTimers<TSaga>(string[] waitingOnATimer, string sagaQueue, Func<TSaga, LostTimer?> lostTimerOf,
        Action<TSaga> markResent, CancellationToken cancellationToken) where TSaga : class, SagaStateMachineInstance
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IPaymentRecoveryStore>();
        var send = scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>();

        var resent = 0;
        await store.WithSagasMissingTheirTimer<TSaga>(waitingOnATimer, DateTimeOffset.UtcNow - options.Value.StalledAfter, BatchSize, async waiting =>
        {
            var sagaEndpoint = await send.GetSendEndpoint(new Uri($"queue:{sagaQueue}"));
            foreach (var saga in waiting)
            {
                if (lostTimerOf(saga) is not { } timer)
                    continue;
                var token = timer.TokenId.ToString("D");
                await sagaEndpoint.Send(timer.Message, Pipe.Execute<SendContext>(c => c.Headers.Set(MessageHeaders.SchedulingTokenId, token)),
                    cancellationToken);
                markResent(saga);
                resent++;
            }
        }, cancellationToken);

        if (resent > 0)
            LogResent(logger, resent, typeof(TSaga).Name);
        return resent;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stalled payment check failed")]
    static partial void LogCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-published PaymentRequested for {Count} payments that never reached the saga")]
    static partial void LogRepublished(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-published RefundRequested for {Count} refunds that never reached the refund saga")]
    static partial void LogRepublishedRefunds(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-sent the lost scheduled message of {Count} waiting sagas ({SagaState})")]
    static partial void LogResent(ILogger logger, int count, string sagaState);
}
