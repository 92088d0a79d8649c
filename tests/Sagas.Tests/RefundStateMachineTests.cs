using Payments.Contracts;

namespace Payments.Sagas.Tests;

/// <summary>The refund state machine on MassTransit's in-memory harness, the test playing the gateway.</summary>
public class RefundStateMachineTests
{
    [Fact]
    public async Task Requested_sends_the_first_attempt_to_the_gateway_with_the_key_derived_from_the_refund_id()
    {
        await using var t = await RefundSagaTest.Start();
        var request = await t.Request(amount: 700);
        var id = request.RefundId;

        var (attempt, context) = await t.WaitForAttempt(id, 1);
        Assert.Equal(request.PaymentId, attempt.PaymentId);
        Assert.Equal(700, attempt.Amount);
        Assert.Equal("USD", attempt.Currency);
        Assert.Equal(RefundCharge.IdempotencyKeyFor(id), attempt.IdempotencyKey);
        Assert.Equal($"refund-{id:N}", attempt.IdempotencyKey);
        Assert.EndsWith($"/{EndpointNames.RefundCharge}", context.DestinationAddress!.AbsolutePath);

        var saga = await t.WaitForState(id, "Refunding");
        Assert.Equal(1, saga.Attempts);
        Assert.Equal(request.UserId, saga.UserId);
        Assert.Equal(RefundStatus.Pending, RefundStateMachine.StatusOf(saga.CurrentState));
        Assert.NotNull(saga.RefundTimeoutTokenId);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Approved_succeeds_once_and_publishes_RefundSucceeded_with_the_derived_event_id()
    {
        await using var t = await RefundSagaTest.Start();
        var request = await t.Request(amount: 700);
        var id = request.RefundId;
        await t.WaitForAttempt(id, 1);

        await t.Harness.Bus.Publish(new RefundApproved(id, "re_1", 1, DateTimeOffset.UtcNow));

        var saga = await t.WaitForState(id, "Succeeded");
        var succeeded = await t.WaitForPublished<RefundSucceeded>(id);
        Assert.Equal(OutcomeEventId.For(id), succeeded.EventId);
        Assert.Equal(request.PaymentId, succeeded.PaymentId);
        Assert.Equal(request.UserId, succeeded.UserId);
        Assert.Equal(700, succeeded.Amount);
        Assert.Equal("re_1", succeeded.GatewayRefundId);
        Assert.Equal("re_1", saga.GatewayRefundId);
        Assert.NotNull(saga.CompletedAt);
        Assert.Equal(RefundStatus.Succeeded, RefundStateMachine.StatusOf(saga.CurrentState));

        // The timeout was cancelled: nothing is re-sent once it would have fired.
        await t.Settle();
        Assert.Single(t.Attempts(id));
        Assert.Single(t.Published<RefundSucceeded>(id));
        Assert.Empty(t.Published<RefundFailed>(id));
        Assert.Equal([RefundStatus.Succeeded], t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Declined_fails_and_publishes_RefundFailed_with_the_reason()
    {
        await using var t = await RefundSagaTest.Start();
        var id = (await t.Request()).RefundId;
        await t.WaitForAttempt(id, 1);

        await t.Harness.Bus.Publish(new RefundDeclined(id, "exceeds what remains of the charge (0)", 1));

        await t.WaitForState(id, "Failed");
        var failed = await t.WaitForPublished<RefundFailed>(id);
        Assert.Equal(OutcomeEventId.For(id), failed.EventId);
        Assert.Equal("declined: exceeds what remains of the charge (0)", failed.Reason);

        await t.Settle();
        Assert.Single(t.Attempts(id));
        Assert.Single(t.Published<RefundFailed>(id));
        Assert.Empty(t.Published<RefundSucceeded>(id));
        Assert.Equal([RefundStatus.Failed], t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_transient_failure_waits_for_the_back_off_then_sends_the_next_attempt_with_the_same_key()
    {
        await using var t = await RefundSagaTest.Start(o => (o.RetryBaseDelay, o.RetryMaxDelay) = (TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)));
        var id = (await t.Request()).RefundId;
        await t.WaitForAttempt(id, 1);

        var failedAt = DateTime.UtcNow;
        await t.Harness.Bus.Publish(new RefundChargeFailed(id, "503", 1, OutcomeUnknown: false));

        var waiting = await t.WaitForState(id, "AwaitingRetry");
        Assert.Equal(RefundStatus.Pending, RefundStateMachine.StatusOf(waiting.CurrentState));
        Assert.Null(waiting.RefundTimeoutTokenId);
        Assert.NotNull(waiting.RefundRetryTokenId);

        var (retry, _) = await t.WaitForAttempt(id, 2);
        Assert.True(DateTime.UtcNow - failedAt >= TimeSpan.FromMilliseconds(350), "attempt 2 was sent before the back-off was over");
        Assert.Equal(RefundCharge.IdempotencyKeyFor(id), retry.IdempotencyKey);
        await t.WaitForState(id, "Refunding");

        await t.Harness.Bus.Publish(new RefundApproved(id, "re_2", 2, DateTimeOffset.UtcNow));
        await t.WaitForState(id, "Succeeded");
        Assert.Equal([1, 2], t.Attempts(id).Select(x => x.Attempt));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Transient_failures_up_to_the_bound_fail_the_refund_without_asking_when_nothing_can_have_moved()
    {
        await using var t = await RefundSagaTest.Start();
        var id = (await t.Request()).RefundId;

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await t.WaitForAttempt(id, attempt);
            await t.Harness.Bus.Publish(new RefundChargeFailed(id, $"503 #{attempt}", attempt, OutcomeUnknown: false));
        }

        await t.WaitForState(id, "Failed");
        Assert.Equal("gateway failed 3 times: 503 #3", (await t.WaitForPublished<RefundFailed>(id)).Reason);
        await t.Settle();
        Assert.Equal([1, 2, 3], t.Attempts(id).Select(x => x.Attempt));
        Assert.Empty(t.Lookups(id));
        Assert.Equal([RefundStatus.Failed], t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Lost_answers_up_to_the_bound_ask_the_gateway_and_succeed_when_it_did_refund()
    {
        await using var t = await RefundSagaTest.Start();
        var id = (await t.Request()).RefundId;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await t.WaitForAttempt(id, attempt);
            await t.Harness.Bus.Publish(new RefundChargeFailed(id, "read timed out", attempt, OutcomeUnknown: true));
        }

        var lookup = await t.WaitForLookup(id);
        Assert.Equal(RefundCharge.IdempotencyKeyFor(id), lookup.IdempotencyKey);
        await t.WaitForState(id, "Reconciling");
        Assert.Empty(t.Published<RefundFailed>(id));

        await t.Harness.Bus.Publish(new RefundApproved(id, "re_found", 0, DateTimeOffset.UtcNow));

        await t.WaitForState(id, "Succeeded");
        Assert.Equal("re_found", (await t.WaitForPublished<RefundSucceeded>(id)).GatewayRefundId);
        Assert.Empty(t.Published<RefundFailed>(id));
        Assert.Equal([RefundStatus.Succeeded], t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task Unanswered_attempts_are_sent_again_then_reconciled_and_fail_only_when_the_gateway_found_nothing()
    {
        await using var t = await RefundSagaTest.Start(RefundSagaTest.TimeoutsFire);
        var id = (await t.Request()).RefundId;

        // Every attempt times out: re-sent with the next attempt number and the same key, then the gateway is asked.
        await t.WaitForLookup(id);
        var attempts = t.Attempts(id);
        Assert.Equal([1, 2, 3], attempts.Select(x => x.Attempt));
        Assert.All(attempts, a => Assert.Equal(RefundCharge.IdempotencyKeyFor(id), a.IdempotencyKey));
        await t.WaitForState(id, "Reconciling");
        Assert.Empty(t.Published<RefundFailed>(id));

        await t.Harness.Bus.Publish(new RefundNotFound(id));

        await t.WaitForState(id, "Failed");
        Assert.Equal("gateway did not answer after 3 attempts; the gateway confirms nothing was refunded",
            (await t.WaitForPublished<RefundFailed>(id)).Reason);
        Assert.Equal([RefundStatus.Failed], t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task An_unanswered_lookup_is_asked_again_and_the_refund_stays_pending()
    {
        await using var t = await RefundSagaTest.Start(RefundSagaTest.TimeoutsFire);
        var id = (await t.Request()).RefundId;

        await t.WaitForLookup(id, count: 2);

        Assert.Equal(RefundStatus.Pending, RefundStateMachine.StatusOf((await t.Load(id)).CurrentState));
        Assert.Empty(t.Published<RefundFailed>(id));
        Assert.Empty(t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_late_failure_for_an_attempt_that_already_timed_out_is_ignored()
    {
        await using var t = await RefundSagaTest.Start(o => o.ChargeTimeout = TimeSpan.FromSeconds(5));
        var id = (await t.Request()).RefundId;
        await t.WaitForAttempt(id, 1);
        // Attempt 1 times out (its timer's message, delivered now) and is re-sent.
        await t.Harness.Bus.Publish(new RefundTimeoutExpired(id));
        await t.WaitForAttempt(id, 2);

        var stale = new List<Guid>();
        await t.PublishTracked(stale, new RefundChargeFailed(id, "503 (late)", 1, OutcomeUnknown: false));
        await t.WaitConsumed(stale);

        var saga = await t.Load(id);
        Assert.Equal("Refunding", saga.CurrentState);
        Assert.Equal(2, saga.Attempts);
        Assert.Null(saga.RefundRetryTokenId);
        t.AssertNoFaults();
    }

    [Fact]
    public async Task A_duplicate_RefundRequested_is_ignored()
    {
        await using var t = await RefundSagaTest.Start(o => o.ChargeTimeout = TimeSpan.FromSeconds(5));
        var request = RefundSagaTest.NewRequest(300);
        var both = new List<Guid>();
        await t.PublishTracked(both, request);
        await t.PublishTracked(both, request with { Amount = 999 });
        await t.WaitConsumed(both);

        await t.WaitForState(request.RefundId, "Refunding");
        var attempt = Assert.Single(t.Attempts(request.RefundId));
        Assert.Equal((await t.Load(request.RefundId)).Amount, attempt.Amount);
        t.AssertNoFaults();
    }

    public static TheoryData<string> Terminals => new() { "Succeeded", "Failed" };

    [Theory]
    [MemberData(nameof(Terminals))]
    public async Task Late_messages_after_a_terminal_state_change_nothing_and_publish_nothing(string terminal)
    {
        await using var t = await RefundSagaTest.Start();
        var request = await t.Request();
        var id = request.RefundId;
        await t.WaitForAttempt(id, 1);
        if (terminal == "Succeeded")
            await t.Harness.Bus.Publish(new RefundApproved(id, "re_1", 1, DateTimeOffset.UtcNow));
        else
            await t.Harness.Bus.Publish(new RefundDeclined(id, "no", 1));
        var before = await t.WaitForState(id, terminal);

        var late = new List<Guid>();
        await t.PublishTracked(late, new RefundApproved(id, "re_other", 2, DateTimeOffset.UtcNow));
        await t.PublishTracked(late, new RefundDeclined(id, "late", 1));
        await t.PublishTracked(late, new RefundChargeFailed(id, "503", 1, OutcomeUnknown: true));
        await t.PublishTracked(late, new RefundNotFound(id));
        await t.PublishTracked(late, new RefundTimeoutExpired(id));
        await t.PublishTracked(late, new RefundRetryDue(id));
        await t.PublishTracked(late, request with { Amount = 1 });
        await t.WaitConsumed(late);

        var after = await t.Load(id);
        Assert.Equal(terminal, after.CurrentState);
        Assert.Equal(before.GatewayRefundId, after.GatewayRefundId);
        Assert.Equal(before.FailureReason, after.FailureReason);
        Assert.Equal(before.CompletedAt, after.CompletedAt);
        Assert.Equal(before.Amount, after.Amount);
        Assert.Single(t.Attempts(id));
        Assert.Empty(t.Lookups(id));
        Assert.Equal(terminal == "Succeeded" ? 1 : 0, t.Published<RefundSucceeded>(id).Count);
        Assert.Equal(terminal == "Failed" ? 1 : 0, t.Published<RefundFailed>(id).Count);
        Assert.Single(t.Completions.Of(id));
        t.AssertNoFaults();
    }

    [Fact]
    public void The_idempotency_key_and_the_event_id_depend_only_on_the_refund()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Assert.Equal(RefundCharge.IdempotencyKeyFor(a), RefundCharge.IdempotencyKeyFor(a));
        Assert.NotEqual(RefundCharge.IdempotencyKeyFor(a), RefundCharge.IdempotencyKeyFor(b));
        Assert.NotEqual(ChargePayment.IdempotencyKeyFor(a), RefundCharge.IdempotencyKeyFor(a));
        Assert.Equal(OutcomeEventId.For(a), OutcomeEventId.For(a));
    }
}
