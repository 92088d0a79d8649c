using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// Copies a terminal saga state onto the payments row in the saga's own transaction, so the API never shows
/// an outcome that was not committed, and a terminal status is never overwritten. The same statement drops the
/// payment's scheduled messages (charge timeout, retry) still waiting in the outbox: a finished saga ignores them,
/// so delivering them would only cost a transaction each.
/// </summary>
static class PaymentStatusProjection
{
    public static async Task Apply(PaymentsDbContext db, PaymentState saga, CancellationToken cancellationToken)
    {
        var status = PaymentStateMachine.PublicStatusOf(saga.CurrentState);
        if (status == PaymentStatus.Pending)
            return;

        var completedAt = saga.CompletedAt ?? DateTimeOffset.UtcNow;
        await db.Database.ExecuteSqlAsync(
            $"""
             WITH cancelled_schedules AS (
               DELETE FROM outbox_messages WHERE correlation_id = {saga.CorrelationId} AND enqueue_time IS NOT NULL
             )
             UPDATE payments
                SET status = {status}, failure_reason = {saga.FailureReason}, charge_id = {saga.ChargeId},
                    completed_at = {completedAt}, updated_at = {completedAt}
              WHERE id = {saga.CorrelationId} AND status = {PaymentStatus.Pending}
             """, cancellationToken);
    }
}
