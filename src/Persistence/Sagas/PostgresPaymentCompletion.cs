using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Persistence.Analytics;
using Payments.Processing.Telemetry;
using Payments.Persistence.Webhooks;
using Payments.Processing.Webhooks;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// Finishing a payment on Postgres, in the saga's own transaction (the scope's context): the payments row takes the
/// terminal status unless it has one already, so the API never shows an outcome that was not committed; the same
/// statement drops the payment's scheduled messages (charge timeout, retry) still waiting in the outbox. Only when this
/// statement is the one that finished it, the same transaction records the analytics fact and plans the owner's webhooks
/// (their <c>webhook-id</c> the outcome event's id), so neither needs a consumer of the outcome event and a transaction of
/// its own; and the payment is counted as completed after the commit.
/// </summary>
public sealed class PostgresPaymentCompletion(
    PaymentsDbContext db,
    PostgresPaymentOutcomeRecorder analytics,
    PostgresWebhookPlanner webhooks,
    PaymentMetrics metrics,
    AfterCommit afterCommit) : IPaymentCompletion
{
    public async Task Complete(PaymentState saga, string publicStatus, CancellationToken cancellationToken)
    {
        var completedAt = saga.CompletedAt ?? DateTimeOffset.UtcNow;
        var finished = await db.Database.SqlQuery<DateTimeOffset>(
            $"""
             WITH cancelled_schedules AS (
               DELETE FROM outbox_messages WHERE correlation_id = {saga.CorrelationId} AND enqueue_time IS NOT NULL
             )
             UPDATE payments
                SET status = {publicStatus}, failure_reason = {saga.FailureReason}, charge_id = {saga.ChargeId},
                    completed_at = {completedAt}, updated_at = {completedAt}
              WHERE id = {saga.CorrelationId} AND status = {PaymentStatus.Pending}
             RETURNING created_at AS "Value"
             """).ToListAsync(cancellationToken);
        if (finished is not [var createdAt])
            return;
        await analytics.Record(saga.CorrelationId, saga.UserId, publicStatus, saga.Amount, saga.Currency, completedAt, cancellationToken);
        var eventType = publicStatus == PaymentStatus.Success ? WebhookEventTypes.PaymentSucceeded : WebhookEventTypes.PaymentFailed;
        await webhooks.PlanOutcome(OutcomeEventId.For(saga.CorrelationId), eventType, saga.CorrelationId, saga.UserId, cancellationToken);
        afterCommit.Add(() => metrics.Completed(publicStatus, completedAt - createdAt));
    }
}
