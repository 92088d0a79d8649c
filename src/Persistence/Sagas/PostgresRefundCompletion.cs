using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Persistence.Analytics;
using Payments.Persistence.Webhooks;
using Payments.Processing.Webhooks;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// Finishing a refund on Postgres, in the saga's own transaction (the scope's context), in one statement: the refunds row
/// takes the terminal status only while it is PENDING, and only then does the payment move the amount: a success adds it to
/// what was refunded (it stays reserved), a failure releases its reservation. A redelivered or repeated completion matches no
/// PENDING row and changes nothing. The same statement drops the refund's scheduled messages still waiting in the outbox.
/// Only when this statement is the one that finished it, the same transaction records the analytics fact and plans the
/// owner's webhooks (their <c>webhook-id</c> the outcome event's id).
/// </summary>
public sealed class PostgresRefundCompletion(PaymentsDbContext db, PostgresPaymentOutcomeRecorder analytics, PostgresWebhookPlanner webhooks)
    : IRefundCompletion
{
    public async Task Complete(RefundState saga, string status, CancellationToken cancellationToken)
    {
        var completedAt = saga.CompletedAt ?? DateTimeOffset.UtcNow;
        var succeeded = status == RefundStatus.Succeeded;
        var finished = await db.Database.SqlQuery<Guid>(
            $"""
             WITH cancelled_schedules AS (
               DELETE FROM outbox_messages WHERE correlation_id = {saga.CorrelationId} AND enqueue_time IS NOT NULL
             ), finished AS (
               UPDATE refunds
                  SET status = {status}, failure_reason = {saga.FailureReason}, gateway_refund_id = {saga.GatewayRefundId},
                      completed_at = {completedAt}, updated_at = {completedAt}
                WHERE id = {saga.CorrelationId} AND status = {RefundStatus.Pending}
               RETURNING payment_id, amount
             )
             UPDATE payments p
                SET amount_refunded = p.amount_refunded + CASE WHEN {succeeded} THEN f.amount ELSE 0 END,
                    refund_reserved = p.refund_reserved - CASE WHEN {succeeded} THEN 0 ELSE f.amount END
               FROM finished f
              WHERE p.id = f.payment_id
             RETURNING p.id AS "Value"
             """).ToListAsync(cancellationToken);
        if (finished is not [_])
            return;
        await analytics.RecordRefund(saga.CorrelationId, saga.PaymentId, saga.UserId, status, saga.Amount, saga.Currency, completedAt,
            cancellationToken);
        var eventType = succeeded ? WebhookEventTypes.RefundSucceeded : WebhookEventTypes.RefundFailed;
        await webhooks.PlanRefundOutcome(OutcomeEventId.For(saga.CorrelationId), eventType, saga.CorrelationId, saga.UserId, cancellationToken);
    }
}
