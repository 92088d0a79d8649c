using MassTransit;
using Microsoft.Extensions.Options;
using Payments.Contracts;

namespace Payments.Sagas;

/// <summary>
/// Drives one refund from PENDING to SUCCEEDED or FAILED, as <see cref="PaymentStateMachine"/> drives a charge and with its
/// timings (<see cref="PaymentSagaOptions"/>): attempts that time out are sent again with the same idempotency key, transient
/// failures are retried after a back-off, and before failing after unknown outcomes the gateway is asked what it did.
/// Internal states (Refunding, AwaitingRetry, Reconciling) are PENDING to clients; Succeeded and Failed are terminal and
/// ignore every later event.
/// </summary>
public class RefundStateMachine : MassTransitStateMachine<RefundState>
{
    static readonly Uri GatewayAddress = new($"queue:{EndpointNames.RefundCharge}");
    static readonly Uri ReconcileAddress = new($"queue:{EndpointNames.ReconcileRefund}");

    public RefundStateMachine(IOptions<PaymentSagaOptions> options)
    {
        var settings = options.Value;

        InstanceState(x => x.CurrentState);

        Event(() => Requested, x => x.CorrelateById(m => m.Message.RefundId));
        Event(() => Approved, x => CorrelateExisting(x, m => m.RefundId));
        Event(() => Declined, x => CorrelateExisting(x, m => m.RefundId));
        Event(() => AttemptFailed, x => CorrelateExisting(x, m => m.RefundId));
        Event(() => NotFound, x => CorrelateExisting(x, m => m.RefundId));

        Schedule(() => RefundTimeout, x => x.RefundTimeoutTokenId, s =>
        {
            s.Delay = settings.ChargeTimeout;
            s.Received = r => CorrelateExisting(r, m => m.RefundId);
        });
        Schedule(() => RefundRetry, x => x.RefundRetryTokenId, s =>
        {
            s.Delay = settings.RetryBaseDelay;
            s.Received = r => CorrelateExisting(r, m => m.RefundId);
        });

        Initially(
            When(Requested)
                .Then(ctx =>
                {
                    var m = ctx.Message;
                    ctx.Saga.PaymentId = m.PaymentId;
                    ctx.Saga.UserId = m.UserId;
                    ctx.Saga.Amount = m.Amount;
                    ctx.Saga.Currency = m.Currency;
                    ctx.Saga.CreatedAt = DateTimeOffset.UtcNow;
                    ctx.Saga.Attempts = 1;
                })
                .Send(GatewayAddress, ctx => NewRefund(ctx.Saga))
                .Schedule(RefundTimeout, ctx => new RefundTimeoutExpired(ctx.Saga.CorrelationId))
                .TransitionTo(Refunding));

        During(Refunding,
            When(RefundTimeout.Received)
                // The unanswered attempt may have reached the gateway.
                .Then(ctx => ctx.Saga.OutcomeUnknown = true)
                .IfElse(ctx => ctx.Saga.Attempts < settings.MaxAttempts,
                    resend => resend
                        .Then(ctx => ctx.Saga.Attempts++)
                        .Send(GatewayAddress, ctx => NewRefund(ctx.Saga))
                        .Schedule(RefundTimeout, ctx => new RefundTimeoutExpired(ctx.Saga.CorrelationId)),
                    giveUp => giveUp
                        .Then(ctx => ctx.Saga.FailureReason = $"gateway did not answer after {ctx.Saga.Attempts} attempts")
                        .Send(ReconcileAddress, ctx => NewReconcile(ctx.Saga))
                        .Schedule(RefundTimeout, ctx => new RefundTimeoutExpired(ctx.Saga.CorrelationId))
                        .TransitionTo(Reconciling)),
            When(AttemptFailed, ctx => ctx.Message.Attempt == ctx.Saga.Attempts)
                .Unschedule(RefundTimeout)
                .Then(ctx => ctx.Saga.OutcomeUnknown |= ctx.Message.OutcomeUnknown)
                .IfElse(ctx => ctx.Saga.Attempts < settings.MaxAttempts,
                    retry => retry
                        .Schedule(RefundRetry, ctx => new RefundRetryDue(ctx.Saga.CorrelationId),
                            ctx => settings.RetryDelayAfter(ctx.Saga.Attempts))
                        .TransitionTo(AwaitingRetry),
                    giveUp => giveUp
                        .Then(ctx => ctx.Saga.FailureReason = $"gateway failed {ctx.Saga.Attempts} times: {ctx.Message.Reason}")
                        .IfElse(ctx => ctx.Saga.OutcomeUnknown,
                            ask => ask
                                .Send(ReconcileAddress, ctx => NewReconcile(ctx.Saga))
                                .Schedule(RefundTimeout, ctx => new RefundTimeoutExpired(ctx.Saga.CorrelationId))
                                .TransitionTo(Reconciling),
                            fail => fail
                                .Then(ctx => Fail(ctx.Saga, ctx.Saga.FailureReason!))
                                .TransitionTo(Failed)
                                .Publish(ctx => FailedEvent(ctx.Saga)))),
            // A failure for an attempt already given up on (timed out and re-sent) only tells whether money may have moved.
            When(AttemptFailed, ctx => ctx.Message.Attempt != ctx.Saga.Attempts)
                .Then(ctx => ctx.Saga.OutcomeUnknown |= ctx.Message.OutcomeUnknown));

        During(AwaitingRetry,
            When(RefundRetry.Received)
                .Then(ctx => ctx.Saga.Attempts++)
                .Send(GatewayAddress, ctx => NewRefund(ctx.Saga))
                .Schedule(RefundTimeout, ctx => new RefundTimeoutExpired(ctx.Saga.CorrelationId))
                .TransitionTo(Refunding),
            When(AttemptFailed)
                .Then(ctx => ctx.Saga.OutcomeUnknown |= ctx.Message.OutcomeUnknown),
            Ignore(RefundTimeout.Received));

        // Before failing after unknown outcomes, the gateway is asked what it did; until it answers, the refund stays PENDING.
        During(Reconciling,
            When(RefundTimeout.Received)
                .Send(ReconcileAddress, ctx => NewReconcile(ctx.Saga))
                .Schedule(RefundTimeout, ctx => new RefundTimeoutExpired(ctx.Saga.CorrelationId)),
            When(NotFound)
                .Unschedule(RefundTimeout)
                .Then(ctx => Fail(ctx.Saga, ctx.Saga.FailureReason + "; the gateway confirms nothing was refunded"))
                .TransitionTo(Failed)
                .Publish(ctx => FailedEvent(ctx.Saga)),
            Ignore(AttemptFailed),
            Ignore(RefundRetry.Received));

        // The gateway's answer is final whichever attempt it belongs to: its ledger refunds a key at most once.
        During(Refunding, AwaitingRetry, Reconciling,
            When(Approved)
                .Unschedule(RefundTimeout)
                .Unschedule(RefundRetry)
                .Then(ctx =>
                {
                    ctx.Saga.GatewayRefundId = ctx.Message.GatewayRefundId;
                    ctx.Saga.FailureReason = null;
                    ctx.Saga.CompletedAt = DateTimeOffset.UtcNow;
                })
                .TransitionTo(Succeeded)
                .Publish(ctx => SucceededEvent(ctx.Saga)),
            When(Declined)
                .Unschedule(RefundTimeout)
                .Unschedule(RefundRetry)
                .Then(ctx => Fail(ctx.Saga, $"declined: {ctx.Message.Reason}"))
                .TransitionTo(Failed)
                .Publish(ctx => FailedEvent(ctx.Saga)),
            Ignore(Requested));

        During(Refunding, AwaitingRetry, Ignore(NotFound));

        During(Succeeded, Failed,
            Ignore(NotFound),
            Ignore(Requested),
            Ignore(Approved),
            Ignore(Declined),
            Ignore(AttemptFailed),
            Ignore(RefundTimeout.Received),
            Ignore(RefundRetry.Received));

        // Every effect of finishing, in the transaction that commits the terminal state; the outcome event is published by
        // the transition itself, through the outbox, so it leaves only after that commit.
        WhenEnter(Succeeded, x => x
            .Then(ctx => ctx.Saga.UpdatedAt = DateTimeOffset.UtcNow)
            .Activity(a => a.OfType<CompleteRefundActivity>()));
        WhenEnter(Failed, x => x
            .Then(ctx => ctx.Saga.UpdatedAt = DateTimeOffset.UtcNow)
            .Activity(a => a.OfType<CompleteRefundActivity>()));
    }

    public State Refunding { get; private set; } = null!;
    public State AwaitingRetry { get; private set; } = null!;
    public State Reconciling { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<RefundRequested> Requested { get; private set; } = null!;
    public Event<RefundApproved> Approved { get; private set; } = null!;
    public Event<RefundDeclined> Declined { get; private set; } = null!;
    public Event<RefundChargeFailed> AttemptFailed { get; private set; } = null!;
    public Event<RefundNotFound> NotFound { get; private set; } = null!;

    public Schedule<RefundState, RefundTimeoutExpired> RefundTimeout { get; private set; } = null!;
    public Schedule<RefundState, RefundRetryDue> RefundRetry { get; private set; } = null!;

    /// <summary>Maps a saga state name to the refund's status.</summary>
    public static string StatusOf(string? currentState) => currentState switch
    {
        nameof(Succeeded) => RefundStatus.Succeeded,
        nameof(Failed) => RefundStatus.Failed,
        _ => RefundStatus.Pending,
    };

    // Events about a refund the saga does not know cannot be acted on; they are logged and dropped rather than retried
    // forever, since every refund saga is created by RefundRequested before any gateway call.
    static void CorrelateExisting<T>(IEventCorrelationConfigurator<RefundState, T> x, Func<T, Guid> refundId)
        where T : class
    {
        x.CorrelateById(m => refundId(m.Message));
        x.OnMissingInstance(m => m.Discard());
    }

    static RefundCharge NewRefund(RefundState saga) =>
        new(saga.CorrelationId, saga.PaymentId, saga.Amount, saga.Currency, RefundCharge.IdempotencyKeyFor(saga.CorrelationId), saga.Attempts);

    static ReconcileRefund NewReconcile(RefundState saga) =>
        new(saga.CorrelationId, RefundCharge.IdempotencyKeyFor(saga.CorrelationId));

    static void Fail(RefundState saga, string reason)
    {
        saga.FailureReason = reason;
        saga.CompletedAt = DateTimeOffset.UtcNow;
    }

    static RefundSucceeded SucceededEvent(RefundState saga) =>
        new(OutcomeEventId.For(saga.CorrelationId), saga.CorrelationId, saga.PaymentId, saga.UserId, saga.Amount, saga.Currency,
            saga.GatewayRefundId!, saga.CompletedAt!.Value);

    static RefundFailed FailedEvent(RefundState saga) =>
        new(OutcomeEventId.For(saga.CorrelationId), saga.CorrelationId, saga.PaymentId, saga.UserId, saga.Amount, saga.Currency,
            saga.FailureReason!, saga.CompletedAt!.Value);
}
