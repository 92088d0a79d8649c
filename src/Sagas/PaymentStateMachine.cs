using MassTransit;
using Microsoft.Extensions.Options;
using Payments.Contracts;

namespace Payments.Sagas;

/// <summary>
/// Drives one payment from PENDING to SUCCESS or FAILED. Internal states (Charging, AwaitingRetry) are shown
/// to clients as PENDING; Succeeded and Failed are terminal and ignore every later event. Each transition records its
/// steps on the saga (<see cref="PaymentState.Record"/>) for the payment's history; an ignored event records nothing.
/// </summary>
public class PaymentStateMachine : MassTransitStateMachine<PaymentState>
{
    static readonly Uri GatewayAddress = new($"queue:{EndpointNames.ChargePayment}");
    static readonly Uri ReconcileAddress = new($"queue:{EndpointNames.ReconcileCharge}");

    public PaymentStateMachine(IOptions<PaymentSagaOptions> options)
    {
        var settings = options.Value;

        InstanceState(x => x.CurrentState);

        Event(() => Requested, x => x.CorrelateById(m => m.Message.PaymentId));
        Event(() => Charged, x => CorrelateExisting(x, m => m.PaymentId));
        Event(() => Declined, x => CorrelateExisting(x, m => m.PaymentId));
        Event(() => ChargeFailed, x => CorrelateExisting(x, m => m.PaymentId));
        Event(() => NotFound, x => CorrelateExisting(x, m => m.PaymentId));

        Schedule(() => ChargeTimeout, x => x.ChargeTimeoutTokenId, s =>
        {
            s.Delay = settings.ChargeTimeout;
            s.Received = r => CorrelateExisting(r, m => m.PaymentId);
        });
        Schedule(() => ChargeRetry, x => x.ChargeRetryTokenId, s =>
        {
            s.Delay = settings.RetryBaseDelay;
            s.Received = r => CorrelateExisting(r, m => m.PaymentId);
        });

        Initially(
            When(Requested)
                .Then(ctx =>
                {
                    var m = ctx.Message;
                    ctx.Saga.UserId = m.UserId;
                    ctx.Saga.Amount = m.Amount;
                    ctx.Saga.Currency = m.Currency;
                    ctx.Saga.CreatedAt = DateTimeOffset.UtcNow;
                    ctx.Saga.Attempts = 1;
                    RecordChargeRequested(ctx.Saga);
                })
                .Send(GatewayAddress, ctx => NewCharge(ctx.Saga))
                .Schedule(ChargeTimeout, ctx => new ChargeTimeoutExpired(ctx.Saga.CorrelationId))
                .TransitionTo(Charging));

        During(Charging,
            When(ChargeTimeout.Received)
                .Then(ctx =>
                {
                    // The unanswered attempt may have reached the gateway.
                    ctx.Saga.ChargeOutcomeUnknown = true;
                    ctx.Saga.Record(PaymentEventTypes.ChargeTimedOut, ctx.Saga.Attempts);
                })
                .IfElse(ctx => ctx.Saga.Attempts < settings.MaxAttempts,
                    resend => resend
                        .Then(ctx =>
                        {
                            ctx.Saga.Attempts++;
                            RecordChargeRequested(ctx.Saga);
                        })
                        .Send(GatewayAddress, ctx => NewCharge(ctx.Saga))
                        .Schedule(ChargeTimeout, ctx => new ChargeTimeoutExpired(ctx.Saga.CorrelationId)),
                    giveUp => giveUp
                        .Then(ctx =>
                        {
                            ctx.Saga.FailureReason = $"gateway did not answer after {ctx.Saga.Attempts} attempts";
                            RecordReconciliationRequested(ctx.Saga);
                        })
                        .Send(ReconcileAddress, ctx => NewReconcile(ctx.Saga))
                        .Schedule(ChargeTimeout, ctx => new ChargeTimeoutExpired(ctx.Saga.CorrelationId))
                        .TransitionTo(Reconciling)),
            When(ChargeFailed, ctx => ctx.Message.Attempt == ctx.Saga.Attempts)
                .Unschedule(ChargeTimeout)
                .Then(ctx => NoteFailure(ctx.Saga, ctx.Message))
                .IfElse(ctx => ctx.Saga.Attempts < settings.MaxAttempts,
                    retry => retry
                        .Then(ctx => ctx.Saga.Record(PaymentEventTypes.RetryScheduled, ctx.Saga.Attempts + 1,
                            dueIn: settings.RetryDelayAfter(ctx.Saga.Attempts)))
                        .Schedule(ChargeRetry, ctx => new ChargeRetryDue(ctx.Saga.CorrelationId),
                            ctx => settings.RetryDelayAfter(ctx.Saga.Attempts))
                        .TransitionTo(AwaitingRetry),
                    giveUp => giveUp
                        .Then(ctx => ctx.Saga.FailureReason = $"gateway failed {ctx.Saga.Attempts} times: {ctx.Message.Reason}")
                        .IfElse(ctx => ctx.Saga.ChargeOutcomeUnknown,
                            ask => ask
                                .Then(ctx => RecordReconciliationRequested(ctx.Saga))
                                .Send(ReconcileAddress, ctx => NewReconcile(ctx.Saga))
                                .Schedule(ChargeTimeout, ctx => new ChargeTimeoutExpired(ctx.Saga.CorrelationId))
                                .TransitionTo(Reconciling),
                            fail => fail
                                .Then(ctx => Fail(ctx.Saga, ctx.Saga.FailureReason!))
                                .TransitionTo(Failed)
                                .Publish(ctx => FailedEvent(ctx.Saga)))),
            // A failure for an attempt we already gave up on (timed out and re-sent) only tells whether money may have moved.
            When(ChargeFailed, ctx => ctx.Message.Attempt != ctx.Saga.Attempts)
                .Then(ctx => NoteFailure(ctx.Saga, ctx.Message)));

        During(AwaitingRetry,
            When(ChargeRetry.Received)
                .Then(ctx =>
                {
                    ctx.Saga.Attempts++;
                    RecordChargeRequested(ctx.Saga);
                })
                .Send(GatewayAddress, ctx => NewCharge(ctx.Saga))
                .Schedule(ChargeTimeout, ctx => new ChargeTimeoutExpired(ctx.Saga.CorrelationId))
                .TransitionTo(Charging),
            When(ChargeFailed)
                .Then(ctx => NoteFailure(ctx.Saga, ctx.Message)),
            Ignore(ChargeTimeout.Received));

        // Before failing after unknown outcomes, the gateway is asked what it did; until it answers, the payment stays PENDING.
        During(Reconciling,
            When(ChargeTimeout.Received)
                .Then(ctx =>
                {
                    ctx.Saga.Record(PaymentEventTypes.ReconciliationTimedOut);
                    RecordReconciliationRequested(ctx.Saga);
                })
                .Send(ReconcileAddress, ctx => NewReconcile(ctx.Saga))
                .Schedule(ChargeTimeout, ctx => new ChargeTimeoutExpired(ctx.Saga.CorrelationId)),
            When(NotFound)
                .Unschedule(ChargeTimeout)
                .Then(ctx => ctx.Saga.Record(PaymentEventTypes.ChargeNotFound))
                .Then(ctx => Fail(ctx.Saga, ctx.Saga.FailureReason + "; the gateway confirms nothing was charged"))
                .TransitionTo(Failed)
                .Publish(ctx => FailedEvent(ctx.Saga)),
            Ignore(ChargeFailed),
            Ignore(ChargeRetry.Received));

        // The gateway's answer is final whichever attempt it belongs to: its ledger charges a payment at most once.
        During(Charging, AwaitingRetry, Reconciling,
            When(Charged)
                .Unschedule(ChargeTimeout)
                .Unschedule(ChargeRetry)
                .Then(ctx =>
                {
                    ctx.Saga.ChargeId = ctx.Message.ChargeId;
                    ctx.Saga.CompletedAt = DateTimeOffset.UtcNow;
                    ctx.Saga.Record(PaymentEventTypes.ChargeApproved, AttemptOf(ctx.Message.Attempt));
                })
                .TransitionTo(Succeeded)
                .Publish(ctx => SucceededEvent(ctx.Saga)),
            When(Declined)
                .Unschedule(ChargeTimeout)
                .Unschedule(ChargeRetry)
                .Then(ctx => ctx.Saga.Record(PaymentEventTypes.ChargeDeclined, AttemptOf(ctx.Message.Attempt), ctx.Message.Reason))
                .Then(ctx => Fail(ctx.Saga, $"declined: {ctx.Message.Reason}"))
                .TransitionTo(Failed)
                .Publish(ctx => FailedEvent(ctx.Saga)),
            Ignore(Requested));

        During(Charging, AwaitingRetry, Ignore(NotFound));

        During(Succeeded, Failed,
            Ignore(NotFound),
            Ignore(Requested),
            Ignore(Charged),
            Ignore(Declined),
            Ignore(ChargeFailed),
            Ignore(ChargeTimeout.Received),
            Ignore(ChargeRetry.Received));

        // Every effect of finishing, in the transaction that commits the terminal state; the outcome event is published
        // by the transition itself, through the outbox, so it leaves only after that commit.
        WhenEnter(Succeeded, x => x
            .Then(ctx =>
            {
                ctx.Saga.UpdatedAt = DateTimeOffset.UtcNow;
                ctx.Saga.Record(PaymentEventTypes.Succeeded);
            })
            .Activity(a => a.OfType<CompletePaymentActivity>()));
        WhenEnter(Failed, x => x
            .Then(ctx =>
            {
                ctx.Saga.UpdatedAt = DateTimeOffset.UtcNow;
                ctx.Saga.Record(PaymentEventTypes.Failed, detail: ctx.Saga.FailureReason);
            })
            .Activity(a => a.OfType<CompletePaymentActivity>()));
    }

    public State Charging { get; private set; } = null!;
    public State AwaitingRetry { get; private set; } = null!;
    public State Reconciling { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<PaymentRequested> Requested { get; private set; } = null!;
    public Event<PaymentCharged> Charged { get; private set; } = null!;
    public Event<PaymentDeclined> Declined { get; private set; } = null!;
    public Event<PaymentChargeFailed> ChargeFailed { get; private set; } = null!;
    public Event<ChargeNotFound> NotFound { get; private set; } = null!;

    public Schedule<PaymentState, ChargeTimeoutExpired> ChargeTimeout { get; private set; } = null!;
    public Schedule<PaymentState, ChargeRetryDue> ChargeRetry { get; private set; } = null!;

    /// <summary>Maps a saga state name to the status clients see.</summary>
    public static string PublicStatusOf(string? currentState) => currentState switch
    {
        nameof(Succeeded) => PaymentStatus.Success,
        nameof(Failed) => PaymentStatus.Failed,
        _ => PaymentStatus.Pending,
    };

    // Events about a payment the saga does not know cannot be acted on; they are logged and dropped
    // rather than retried forever, since every saga is created by PaymentRequested before any charge.
    static void CorrelateExisting<T>(IEventCorrelationConfigurator<PaymentState, T> x, Func<T, Guid> paymentId)
        where T : class
    {
        x.CorrelateById(m => paymentId(m.Message));
        x.OnMissingInstance(m => m.Discard());
    }

    static void RecordChargeRequested(PaymentState saga) => saga.Record(PaymentEventTypes.ChargeRequested, saga.Attempts);

    static void RecordReconciliationRequested(PaymentState saga) =>
        saga.Record(PaymentEventTypes.ReconciliationRequested, detail: saga.FailureReason);

    /// <summary>A transient failure: whether money may have moved, and the answer in the history whichever attempt it is for.</summary>
    static void NoteFailure(PaymentState saga, PaymentChargeFailed failure)
    {
        saga.ChargeOutcomeUnknown |= failure.OutcomeUnknown;
        saga.Record(failure.OutcomeUnknown ? PaymentEventTypes.ChargeAnswerLost : PaymentEventTypes.ChargeFailedTransient,
            failure.Attempt, failure.Reason);
    }

    /// <summary>Attempt 0 is the answer to a reconciliation lookup, which belongs to no attempt.</summary>
    static int? AttemptOf(int attempt) => attempt > 0 ? attempt : null;

    static ChargePayment NewCharge(PaymentState saga) =>
        new(saga.CorrelationId, saga.Amount, saga.Currency, ChargePayment.IdempotencyKeyFor(saga.CorrelationId), saga.Attempts);

    static ReconcileCharge NewReconcile(PaymentState saga) =>
        new(saga.CorrelationId, ChargePayment.IdempotencyKeyFor(saga.CorrelationId));

    static void Fail(PaymentState saga, string reason)
    {
        saga.FailureReason = reason;
        saga.CompletedAt = DateTimeOffset.UtcNow;
    }

    static PaymentSucceeded SucceededEvent(PaymentState saga) =>
        new(OutcomeEventId.For(saga.CorrelationId), saga.CorrelationId, saga.UserId, saga.Amount, saga.Currency,
            saga.ChargeId!, saga.CompletedAt!.Value);

    static PaymentFailed FailedEvent(PaymentState saga) =>
        new(OutcomeEventId.For(saga.CorrelationId), saga.CorrelationId, saga.UserId, saga.Amount, saga.Currency,
            saga.FailureReason!, saga.CompletedAt!.Value);
}
