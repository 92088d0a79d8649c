using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Sagas;

namespace Payments.Sagas.Tests;

/// <summary>
/// The payment state machine on MassTransit's in-memory harness with an in-memory saga repository. No gateway
/// consumer is registered: each test plays the gateway, reading the ChargePayment commands the saga sends and
/// publishing the gateway's answers itself.
/// </summary>
public class PaymentStateMachineTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Requested_starts_charging_and_sends_the_first_attempt_to_the_gateway()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request(amount: 1999, currency: "EUR");

        var charge = await t.WaitForCharge(id, attempt: 1);
        Assert.Equal(id, charge.Message.PaymentId);
        Assert.Equal(1999, charge.Message.Amount);
        Assert.Equal("EUR", charge.Message.Currency);
        Assert.Equal(ChargePayment.IdempotencyKeyFor(id), charge.Message.IdempotencyKey);
        Assert.Equal(1, charge.Message.Attempt);
        Assert.Equal($"queue:{EndpointNames.ChargePayment}", ShortAddress(charge.Context.DestinationAddress));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Charging, Wait));
        var saga = await t.Load(id);
        Assert.Equal(1, saga.Attempts);
        Assert.Equal(t.UserOf(id), saga.UserId);
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(saga.CurrentState));
        Assert.NotNull(saga.ChargeTimeoutTokenId);
    }

    [Fact]
    public async Task Charged_succeeds_and_publishes_PaymentSucceeded_once_with_the_derived_event_id()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request(amount: 2500);
        await t.WaitForCharge(id, 1);

        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_1", 1, DateTimeOffset.UtcNow));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        var succeeded = await t.WaitForPublished<PaymentSucceeded>(id);
        Assert.Equal(OutcomeEventId.For(id), succeeded.EventId);
        Assert.Equal("ch_1", succeeded.ChargeId);
        Assert.Equal(2500, succeeded.Amount);
        Assert.Equal("USD", succeeded.Currency);
        Assert.Equal(t.UserOf(id), succeeded.UserId);

        var saga = await t.Load(id);
        Assert.Equal(PaymentStatus.Success, PaymentStateMachine.PublicStatusOf(saga.CurrentState));
        Assert.Equal("ch_1", saga.ChargeId);
        Assert.NotNull(saga.CompletedAt);
        Assert.Null(saga.FailureReason);

        // The charge timeout was cancelled: nothing is re-sent or published once it would have fired.
        await t.Settle();
        Assert.Single(t.Published<PaymentSucceeded>(id));
        Assert.Empty(t.Published<PaymentFailed>(id));
        // Reaching SUCCESS completed the payment (row status, timers dropped) exactly once.
        Assert.Equal([PaymentStatus.Success], t.Completions.Of(id));
        Assert.Single(t.Charges(id));
        Assert.Equal("Succeeded", (await t.Load(id)).CurrentState);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Declined_fails_and_publishes_PaymentFailed_with_the_reason()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        await t.WaitForCharge(id, 1);

        await t.Harness.Bus.Publish(new PaymentDeclined(id, "insufficient funds", 1));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Failed, Wait));
        var failed = await t.WaitForPublished<PaymentFailed>(id);
        Assert.Equal(OutcomeEventId.For(id), failed.EventId);
        Assert.Equal("declined: insufficient funds", failed.Reason);
        var saga = await t.Load(id);
        Assert.Equal(PaymentStatus.Failed, PaymentStateMachine.PublicStatusOf(saga.CurrentState));
        Assert.Equal("declined: insufficient funds", saga.FailureReason);
        Assert.Null(saga.ChargeId);

        await t.Settle();
        Assert.Single(t.Published<PaymentFailed>(id));
        Assert.Empty(t.Published<PaymentSucceeded>(id));
        Assert.Single(t.Charges(id));
        Assert.Equal([PaymentStatus.Failed], t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task ChargeFailed_waits_for_the_backoff_then_sends_attempt_2_and_is_charging_again()
    {
        // A long back-off so that AwaitingRetry can be observed.
        await using var t = await SagaTest.Start(o => (o.RetryBaseDelay, o.RetryMaxDelay) = (TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)));
        var id = await t.Request();
        await t.WaitForCharge(id, 1);

        var failedAt = DateTime.UtcNow;
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "503", 1, OutcomeUnknown: false));

        Assert.NotNull(await t.Saga.Exists(id, m => m.AwaitingRetry, Wait));
        var waiting = await t.Load(id);
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(waiting.CurrentState));
        Assert.Equal(1, waiting.Attempts);
        Assert.Null(waiting.ChargeTimeoutTokenId);
        Assert.NotNull(waiting.ChargeRetryTokenId);

        var retry = await t.WaitForCharge(id, 2);
        Assert.True(DateTime.UtcNow - failedAt >= TimeSpan.FromMilliseconds(350), "attempt 2 was sent before the back-off was over");
        Assert.Equal(ChargePayment.IdempotencyKeyFor(id), retry.Message.IdempotencyKey);

        Assert.NotNull(await t.Saga.Exists(id, m => m.Charging, Wait));
        var charging = await t.Load(id);
        Assert.Equal(2, charging.Attempts);
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(charging.CurrentState));
        Assert.NotNull(charging.ChargeTimeoutTokenId);

        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_2", 2, DateTimeOffset.UtcNow));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        Assert.Equal(new[] { 1, 2 }, t.Charges(id).Select(x => x.Attempt));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task ChargeFailed_on_the_last_attempt_fails_the_payment()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await t.WaitForCharge(id, attempt);
            await t.Harness.Bus.Publish(new PaymentChargeFailed(id, $"503 #{attempt}", attempt, OutcomeUnknown: false));
        }

        Assert.NotNull(await t.Saga.Exists(id, m => m.Failed, Wait));
        var failed = await t.WaitForPublished<PaymentFailed>(id);
        Assert.Equal("gateway failed 3 times: 503 #3", failed.Reason);
        Assert.Equal(OutcomeEventId.For(id), failed.EventId);

        await t.Settle();
        Assert.Equal(new[] { 1, 2, 3 }, t.Charges(id).Select(x => x.Attempt));
        Assert.Single(t.Published<PaymentFailed>(id));
        Assert.Equal(3, (await t.Load(id)).Attempts);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Retry_back_off_doubles_per_attempt_and_is_capped()
    {
        var options = new PaymentSagaOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        };
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.RetryDelayAfter(1));
        Assert.Equal(TimeSpan.FromMilliseconds(40), options.RetryDelayAfter(2));
        Assert.Equal(TimeSpan.FromMilliseconds(80), options.RetryDelayAfter(3));
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.RetryDelayAfter(4));
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.RetryDelayAfter(40));
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.RetryDelayAfter(0));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_unanswered_charge_times_out_and_is_sent_again_with_the_next_attempt_number()
    {
        // The default timeout: attempt 2's own timer must not fire before the saga is inspected below.
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        var first = await t.WaitForCharge(id, 1);

        var second = await t.WaitForCharge(id, 2);
        Assert.True(second.Context.SentTime - first.Context.SentTime >= TimeSpan.FromMilliseconds(250),
            "attempt 2 was sent before the charge timeout");
        Assert.Equal(first.Message.IdempotencyKey, second.Message.IdempotencyKey);
        Assert.Equal(first.Message.Amount, second.Message.Amount);

        var saga = await t.WaitForSaga(id, x => x.Attempts >= 2, "attempt 2 saved"); // sent before the saga is saved
        Assert.Equal("Charging", saga.CurrentState);
        Assert.True(saga.Attempts >= 2);

        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_late", 1, DateTimeOffset.UtcNow));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_timeout_on_the_last_attempt_asks_the_gateway_and_fails_only_when_nothing_was_charged()
    {
        await using var t = await SagaTest.Start(SagaTest.TimeoutsFire);
        var id = await t.Request();

        // Unanswered attempts may have charged: the saga must ask before it may fail.
        var reconcile = await t.WaitForSent<ReconcileCharge>(id);
        Assert.Equal(ChargePayment.IdempotencyKeyFor(id), reconcile.IdempotencyKey);
        Assert.NotNull(await t.Saga.Exists(id, m => m.Reconciling, Wait)); // the command is seen before the saga is saved
        var saga = await t.Load(id);
        Assert.Equal("Reconciling", saga.CurrentState);
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(saga.CurrentState));
        Assert.Empty(t.Published<PaymentFailed>(id));

        await t.Harness.Bus.Publish(new ChargeNotFound(id));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Failed, Wait));
        var failed = await t.WaitForPublished<PaymentFailed>(id);
        Assert.Equal("gateway did not answer after 3 attempts; the gateway confirms nothing was charged", failed.Reason);
        await t.Settle();
        Assert.Equal(new[] { 1, 2, 3 }, t.Charges(id).Select(x => x.Attempt));
        Assert.Single(t.Published<PaymentFailed>(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Lost_answers_to_the_last_attempt_end_in_success_when_the_gateway_did_charge()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await t.WaitForCharge(id, attempt);
            await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "read timed out", attempt, OutcomeUnknown: true));
        }

        await t.WaitForSent<ReconcileCharge>(id);
        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_found", 0, DateTimeOffset.UtcNow));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        Assert.Equal("ch_found", (await t.WaitForPublished<PaymentSucceeded>(id)).ChargeId);
        Assert.Empty(t.Published<PaymentFailed>(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task An_unanswered_lookup_is_asked_again_and_the_payment_stays_pending()
    {
        await using var t = await SagaTest.Start(SagaTest.TimeoutsFire);
        var id = await t.Request();

        await t.WaitForSent<ReconcileCharge>(id, count: 2);

        Assert.Equal("Reconciling", (await t.Load(id)).CurrentState);
        Assert.Empty(t.Published<PaymentFailed>(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_stale_ChargeFailed_for_an_older_attempt_is_ignored()
    {
        // A long charge timeout, so that only a (wrongly honoured) failure could produce attempt 3 quickly.
        await using var t = await SagaTest.Start(o => o.ChargeTimeout = TimeSpan.FromSeconds(5));
        var id = await t.Request();
        await t.WaitForCharge(id, 1);
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "503", 1, OutcomeUnknown: false));
        await t.WaitForCharge(id, 2);
        Assert.NotNull(await t.Saga.Exists(id, m => m.Charging, Wait));

        // The same failure again (redelivered or reordered): it belongs to attempt 1, the saga is at attempt 2.
        var stale = Guid.NewGuid();
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "503 (stale)", 1, OutcomeUnknown: false), c => c.MessageId = stale);
        await t.WaitConsumed([stale]);
        await Task.Delay(300);

        var saga = await t.Load(id);
        Assert.Equal("Charging", saga.CurrentState);
        Assert.Equal(2, saga.Attempts);
        Assert.NotNull(saga.ChargeTimeoutTokenId);
        Assert.Null(saga.ChargeRetryTokenId);
        Assert.DoesNotContain(t.Charges(id), x => x.Attempt == 3);

        // The failure of the current attempt still counts.
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "503", 2, OutcomeUnknown: false));
        await t.WaitForCharge(id, 3);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_late_ChargeFailed_for_an_attempt_that_already_timed_out_is_ignored()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        await t.WaitForCharge(id, 1);
        // Attempt 1 times out (the timer's message, delivered now rather than waited for) and is re-sent; attempt 2's
        // own timer is seconds away, so only a wrongly honoured failure could produce attempt 3 below.
        await t.Harness.Bus.Publish(new ChargeTimeoutExpired(id));
        await t.WaitForCharge(id, 2);

        // Attempt 1's failure finally arrives: attempt 2 is still in flight, so nothing may happen.
        var stale = Guid.NewGuid();
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "503 (late)", 1, OutcomeUnknown: false), c => c.MessageId = stale);
        await t.WaitConsumed([stale]);
        await Task.Delay(250); // a wrongly honoured failure would send attempt 3 after ~40 ms of back-off

        var saga = await t.Load(id);
        Assert.Equal("Charging", saga.CurrentState);
        Assert.Equal(2, saga.Attempts);
        Assert.DoesNotContain(t.Charges(id), x => x.Attempt == 3);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Charged_while_awaiting_retry_succeeds_and_cancels_the_retry()
    {
        await using var t = await SagaTest.Start(o => (o.RetryBaseDelay, o.RetryMaxDelay) = (TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)));
        var id = await t.Request();
        await t.WaitForCharge(id, 1);
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "read timed out", 1, OutcomeUnknown: true));
        Assert.NotNull(await t.Saga.Exists(id, m => m.AwaitingRetry, Wait));

        // The "failed" attempt did reach the gateway after all: its answer is final.
        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_1", 1, DateTimeOffset.UtcNow));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        var succeeded = await t.WaitForPublished<PaymentSucceeded>(id);
        Assert.Equal("ch_1", succeeded.ChargeId);

        await Task.Delay(600); // past the back-off
        Assert.Single(t.Charges(id));
        Assert.Single(t.Published<PaymentSucceeded>(id));
        var saga = await t.Load(id);
        Assert.Equal("Succeeded", saga.CurrentState);
        Assert.Null(saga.ChargeRetryTokenId);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Declined_while_awaiting_retry_fails()
    {
        await using var t = await SagaTest.Start(o => (o.RetryBaseDelay, o.RetryMaxDelay) = (TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)));
        var id = await t.Request();
        await t.WaitForCharge(id, 1);
        await t.Harness.Bus.Publish(new PaymentChargeFailed(id, "read timed out", 1, OutcomeUnknown: true));
        Assert.NotNull(await t.Saga.Exists(id, m => m.AwaitingRetry, Wait));

        await t.Harness.Bus.Publish(new PaymentDeclined(id, "card blocked", 1));

        Assert.NotNull(await t.Saga.Exists(id, m => m.Failed, Wait));
        Assert.Equal("declined: card blocked", (await t.WaitForPublished<PaymentFailed>(id)).Reason);
        await Task.Delay(600);
        Assert.Single(t.Charges(id));
        Assert.Single(t.Published<PaymentFailed>(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_duplicate_PaymentRequested_is_ignored()
    {
        await using var t = await SagaTest.Start(o => o.ChargeTimeout = TimeSpan.FromSeconds(5));
        var id = Guid.NewGuid();
        var user = Guid.NewGuid();
        var request = new PaymentRequested(id, user, 1999, "USD", "coffee", DateTimeOffset.UtcNow);

        // Two distinct messages (different MessageIds) for the same payment, back to back.
        var both = new List<Guid>();
        await t.PublishTracked(both, request);
        await t.PublishTracked(both, request with { Amount = 5000 });
        await t.WaitConsumed(both);
        await t.WaitForCharge(id, 1);
        await Task.Delay(200);

        Assert.Single(t.Saga.Created.Select(x => x.CorrelationId == id, Done));
        var charge = Assert.Single(t.Charges(id));
        Assert.Equal(1, charge.Attempt);
        var saga = await t.Load(id);
        Assert.Equal("Charging", saga.CurrentState);
        Assert.Equal(1, saga.Attempts);
        // Whichever copy came first made the saga; the other one changed nothing.
        Assert.Contains(saga.Amount, new long[] { 1999, 5000 });
        Assert.Equal(saga.Amount, charge.Amount);
        var amount = saga.Amount;

        // After the outcome, a replayed request changes nothing either.
        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_1", 1, DateTimeOffset.UtcNow));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        var replay = Guid.NewGuid();
        await t.Harness.Bus.Publish(request, c => c.MessageId = replay);
        await t.WaitConsumed([replay]);
        await Task.Delay(200);

        Assert.Single(t.Saga.Created.Select(x => x.CorrelationId == id, Done));
        Assert.Single(t.Charges(id));
        Assert.Single(t.Published<PaymentSucceeded>(id));
        Assert.Equal("Succeeded", (await t.Load(id)).CurrentState);
        Assert.Equal(amount, (await t.Load(id)).Amount);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Late_events_after_success_change_nothing_and_publish_nothing()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        await t.WaitForCharge(id, 1);
        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_1", 1, DateTimeOffset.UtcNow));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        await t.WaitForPublished<PaymentSucceeded>(id);
        var before = await t.Load(id);
        var completedAt = before.CompletedAt;

        var late = new List<Guid>();
        await t.PublishTracked(late, new PaymentCharged(id, "ch_other", 2, DateTimeOffset.UtcNow));
        await t.PublishTracked(late, new PaymentDeclined(id, "insufficient funds", 1));
        await t.PublishTracked(late, new PaymentChargeFailed(id, "503", 1, OutcomeUnknown: false));
        // Timer messages without a scheduling token are raised as the schedule's event when a token is set;
        // a terminal saga must ignore them whatever the token says.
        await t.PublishTracked(late, new ChargeTimeoutExpired(id));
        await t.PublishTracked(late, new ChargeRetryDue(id));
        await t.PublishTracked(late, new PaymentRequested(id, Guid.NewGuid(), 1, "USD", null, DateTimeOffset.UtcNow));
        await t.WaitConsumed(late);
        await t.Settle();

        var after = await t.Load(id);
        Assert.Equal("Succeeded", after.CurrentState);
        Assert.Equal("ch_1", after.ChargeId);
        Assert.Null(after.FailureReason);
        Assert.Equal(completedAt, after.CompletedAt);
        Assert.Equal(1, after.Attempts);
        Assert.Single(t.Published<PaymentSucceeded>(id));
        Assert.Empty(t.Published<PaymentFailed>(id));
        Assert.Single(t.Charges(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Late_events_after_failure_change_nothing_and_publish_nothing()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        await t.WaitForCharge(id, 1);
        await t.Harness.Bus.Publish(new PaymentDeclined(id, "insufficient funds", 1));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Failed, Wait));
        await t.WaitForPublished<PaymentFailed>(id);

        var late = new List<Guid>();
        await t.PublishTracked(late, new PaymentCharged(id, "ch_1", 1, DateTimeOffset.UtcNow));
        await t.PublishTracked(late, new PaymentChargeFailed(id, "503", 1, OutcomeUnknown: false));
        await t.PublishTracked(late, new PaymentDeclined(id, "card blocked", 1));
        await t.PublishTracked(late, new ChargeTimeoutExpired(id));
        await t.PublishTracked(late, new ChargeRetryDue(id));
        await t.WaitConsumed(late);
        await t.Settle();

        var after = await t.Load(id);
        Assert.Equal("Failed", after.CurrentState);
        Assert.Equal("declined: insufficient funds", after.FailureReason);
        Assert.Null(after.ChargeId);
        Assert.Equal(1, after.Attempts);
        Assert.Single(t.Published<PaymentFailed>(id));
        Assert.Empty(t.Published<PaymentSucceeded>(id));
        Assert.Single(t.Charges(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_timeout_after_giving_up_changes_nothing()
    {
        await using var t = await SagaTest.Start(SagaTest.TimeoutsFire);
        var id = await t.Request();
        await t.WaitForSent<ReconcileCharge>(id);
        await t.Harness.Bus.Publish(new ChargeNotFound(id));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Failed, Wait));

        var late = new List<Guid>();
        await t.PublishTracked(late, new ChargeTimeoutExpired(id));
        await t.PublishTracked(late, new PaymentCharged(id, "ch_1", 3, DateTimeOffset.UtcNow));
        await t.WaitConsumed(late);
        await t.Settle();

        Assert.Equal("Failed", (await t.Load(id)).CurrentState);
        Assert.Equal(3, t.Charges(id).Count);
        Assert.Single(t.Published<PaymentFailed>(id));
        Assert.Empty(t.Published<PaymentSucceeded>(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Out_of_order_Declined_after_Charged_is_ignored()
    {
        await using var t = await SagaTest.Start();
        var id = await t.Request();
        await t.WaitForCharge(id, 1);

        await t.Harness.Bus.Publish(new PaymentCharged(id, "ch_1", 1, DateTimeOffset.UtcNow));
        Assert.NotNull(await t.Saga.Exists(id, m => m.Succeeded, Wait));
        var late = new List<Guid>();
        await t.PublishTracked(late, new PaymentDeclined(id, "insufficient funds", 1));
        await t.WaitConsumed(late);
        await t.Settle();

        var saga = await t.Load(id);
        Assert.Equal("Succeeded", saga.CurrentState);
        Assert.Null(saga.FailureReason);
        Assert.Single(t.Published<PaymentSucceeded>(id));
        Assert.Empty(t.Published<PaymentFailed>(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Events_for_an_unknown_payment_are_discarded_without_creating_a_saga()
    {
        await using var t = await SagaTest.Start();
        var unknown = Guid.NewGuid();

        var messages = new List<Guid>();
        await t.PublishTracked(messages, new PaymentCharged(unknown, "ch_1", 1, DateTimeOffset.UtcNow));
        await t.PublishTracked(messages, new PaymentDeclined(unknown, "insufficient funds", 1));
        await t.PublishTracked(messages, new PaymentChargeFailed(unknown, "503", 1, OutcomeUnknown: false));
        await t.PublishTracked(messages, new ChargeTimeoutExpired(unknown));
        await t.PublishTracked(messages, new ChargeRetryDue(unknown));
        await t.WaitConsumed(messages);
        await Task.Delay(100);

        Assert.Null(await t.Saga.Exists(unknown, TimeSpan.FromMilliseconds(100)));
        Assert.Empty(t.Saga.Created.Select(x => x.CorrelationId == unknown, Done));
        Assert.Null(await t.Load(unknown));
        Assert.Empty(t.Charges(unknown));
        Assert.Empty(t.Published<PaymentSucceeded>(unknown));
        Assert.Empty(t.Published<PaymentFailed>(unknown));
        t.AssertNoFaults();
    }

    [Theory]
    [InlineData("Initial", PaymentStatus.Pending)]
    [InlineData("Charging", PaymentStatus.Pending)]
    [InlineData("AwaitingRetry", PaymentStatus.Pending)]
    [InlineData(null, PaymentStatus.Pending)]
    [InlineData("Succeeded", PaymentStatus.Success)]
    [InlineData("Failed", PaymentStatus.Failed)]
    public void Internal_states_are_shown_as_PENDING_and_terminal_states_as_their_outcome(string? state, string expected) =>
        Assert.Equal(expected, PaymentStateMachine.PublicStatusOf(state));

    [Fact]
    public async Task Every_state_of_the_machine_maps_to_a_public_status()
    {
        await using var t = await SagaTest.Start();
        var machine = t.Saga.StateMachine;
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(machine.Charging.Name));
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(machine.AwaitingRetry.Name));
        Assert.Equal(PaymentStatus.Success, PaymentStateMachine.PublicStatusOf(machine.Succeeded.Name));
        Assert.Equal(PaymentStatus.Failed, PaymentStateMachine.PublicStatusOf(machine.Failed.Name));
        Assert.Equal(PaymentStatus.Pending, PaymentStateMachine.PublicStatusOf(machine.Initial.Name));
    }

    [Fact]
    public void Outcome_event_id_is_stable_per_payment_and_differs_between_payments()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Assert.Equal(OutcomeEventId.For(a), OutcomeEventId.For(a));
        Assert.NotEqual(OutcomeEventId.For(a), OutcomeEventId.For(b));
        Assert.NotEqual(a, OutcomeEventId.For(a));
        Assert.Equal(ChargePayment.IdempotencyKeyFor(a), ChargePayment.IdempotencyKeyFor(a));
        Assert.NotEqual(ChargePayment.IdempotencyKeyFor(a), ChargePayment.IdempotencyKeyFor(b));
    }

    static readonly CancellationToken Done = new(true);

    static string ShortAddress(Uri? address) =>
        address is null ? "" : $"queue:{address.AbsolutePath.TrimStart('/').Split('/').Last()}";
}

/// <summary>One started in-memory harness with the saga and short timings; disposed at the end of a test.</summary>
sealed class SagaTest : IAsyncDisposable
{
    static readonly CancellationToken Done = new(true);
    readonly ServiceProvider _provider;
    readonly Dictionary<Guid, Guid> _users = new();

    SagaTest(ServiceProvider provider, RecordedCompletions completions)
    {
        _provider = provider;
        Completions = completions;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<PaymentStateMachine, PaymentState>();
    }

    public ITestHarness Harness { get; }

    /// <summary>What the machine's completion activity asked storage to do, per payment.</summary>
    public RecordedCompletions Completions { get; }

    public ISagaStateMachineTestHarness<PaymentStateMachine, PaymentState> Saga { get; }

    /// <summary>
    /// Long enough that a test's answer always beats the timer even on a busy machine (an early timeout would send an
    /// extra attempt); tests about timeouts pass <see cref="TimeoutsFire"/>.
    /// </summary>
    static readonly TimeSpan DefaultChargeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A charge timeout short enough for tests that wait for timers to fire.</summary>
    public static void TimeoutsFire(PaymentSagaOptions o) => o.ChargeTimeout = TimeSpan.FromMilliseconds(300);

    public static async Task<SagaTest> Start(Action<PaymentSagaOptions>? configure = null)
    {
        var services = new ServiceCollection();
        // No logging provider: MassTransit's debug trace would drown the test output.
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddOptions<PaymentSagaOptions>().Configure(o =>
        {
            o.ChargeTimeout = DefaultChargeTimeout;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(100);
            o.MaxAttempts = 3;
            configure?.Invoke(o);
        });
        var completions = new RecordedCompletions();
        services.AddSingleton<IPaymentCompletion>(completions);
        services.Configure<TestHarnessOptions>(o =>
        {
            o.TestTimeout = TimeSpan.FromSeconds(10);
            // The tests poll snapshots instead of relying on inactivity: timers keep these sagas busy for a while.
            o.TestInactivityTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddMassTransitTestHarness(x =>
        {
            x.AddDelayedMessageScheduler();
            x.AddSagaStateMachine<PaymentStateMachine, PaymentState>().InMemoryRepository();
            x.UsingInMemory((ctx, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(ctx);
            });
        });

        var provider = services.BuildServiceProvider(true);
        var test = new SagaTest(provider, completions);
        await test.Harness.Start();
        return test;
    }

    public Guid UserOf(Guid paymentId) => _users[paymentId];

    public async Task<Guid> Request(long amount = 1999, string currency = "USD")
    {
        var id = Guid.NewGuid();
        var user = Guid.NewGuid();
        _users[id] = user;
        await Harness.Bus.Publish(new PaymentRequested(id, user, amount, currency, "test", DateTimeOffset.UtcNow));
        return id;
    }

    /// <summary>Waits until the saved saga meets the condition; a command is recorded as sent before the saga is saved.</summary>
    public Task<PaymentState> WaitForSaga(Guid id, Func<PaymentState, bool> condition, string what) =>
        Eventually(async () => await Load(id) is { } saga && condition(saga) ? saga : null, what);

    public async Task<PaymentState> Load(Guid id)
    {
        using var scope = _provider.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ILoadSagaRepository<PaymentState>>().Load(id);
    }

    /// <summary>ChargePayment commands sent so far for this payment, in order (no waiting).</summary>
    public List<ChargePayment> Charges(Guid id) =>
        Harness.Sent.Select<ChargePayment>(x => x.Context.Message.PaymentId == id, Done)
            .Select(x => x.Context.Message).ToList();

    public List<T> Published<T>(Guid id) where T : class =>
        Harness.Published.Select<T>(x => PaymentIdOf(x.Context.Message) == id, Done).Select(x => x.Context.Message).ToList();

    public async Task<(ChargePayment Message, SendContext<ChargePayment> Context)> WaitForCharge(Guid id, int attempt)
    {
        var sent = await Eventually(() => Harness.Sent
            .Select<ChargePayment>(x => x.Context.Message.PaymentId == id && x.Context.Message.Attempt == attempt, Done)
            .FirstOrDefault(), $"ChargePayment attempt {attempt}");
        return (sent.Context.Message, sent.Context);
    }

    /// <summary>Waits until <paramref name="count"/> commands of type <typeparamref name="T"/> were sent for the payment.</summary>
    public async Task<T> WaitForSent<T>(Guid id, int count = 1) where T : class =>
        (await Eventually(() => Harness.Sent.Select<T>(x => PaymentIdOf(x.Context.Message) == id, Done).Skip(count - 1).FirstOrDefault(),
            $"{count} x {typeof(T).Name}")).Context.Message;

    public async Task<T> WaitForPublished<T>(Guid id) where T : class =>
        (await Eventually(() => Harness.Published.Select<T>(x => PaymentIdOf(x.Context.Message) == id, Done).FirstOrDefault(),
            typeof(T).Name)).Context.Message;

    public async Task PublishTracked<T>(List<Guid> ids, T message) where T : class
    {
        var messageId = NewId.NextGuid();
        ids.Add(messageId);
        await Harness.Bus.Publish(message, c => c.MessageId = messageId);
    }

    /// <summary>Waits until the bus has consumed every listed message (consumed = handled, ignored or discarded).</summary>
    public Task WaitConsumed(IReadOnlyCollection<Guid> messageIds) =>
        Eventually(() => messageIds.All(m => Harness.Consumed.Select(x => x.Context.MessageId == m, Done).Any()) ? "" : null,
            "all messages consumed");

    /// <summary>Waits past a charge timeout, so a timer that should have been cancelled would show.</summary>
    public Task Settle() => Task.Delay(ChargeTimeout + TimeSpan.FromMilliseconds(200));

    TimeSpan ChargeTimeout => _provider.GetRequiredService<IOptions<PaymentSagaOptions>>().Value.ChargeTimeout;

    public void AssertNoFaults()
    {
        var faults = Harness.Published.Select(x => x.MessageType.IsGenericType
                && x.MessageType.GetGenericTypeDefinition() == typeof(Fault<>), Done)
            .Select(x => x.MessageType.Name + ": " + x.MessageObject)
            .ToList();
        var consumeFaults = Harness.Consumed.Select(x => x.Exception is not null, Done)
            .Select(x => x.MessageType.Name + ": " + x.Exception!.Message).ToList();
        Assert.True(faults.Count == 0 && consumeFaults.Count == 0,
            "unexpected faults: " + string.Join("; ", faults.Concat(consumeFaults)));
    }

    static Guid? PaymentIdOf(object message) => message switch
    {
        PaymentSucceeded m => m.PaymentId,
        PaymentFailed m => m.PaymentId,
        ReconcileCharge m => m.PaymentId,
        _ => null,
    };

    static Task<T> Eventually<T>(Func<T?> probe, string what) where T : class =>
        Eventually(() => Task.FromResult(probe()), what);

    static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
    }
}
