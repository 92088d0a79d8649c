using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// Copies a terminal saga state onto the payments row in the saga's own transaction, so the API never shows
/// an outcome that was not committed, and a terminal status is never overwritten.
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
             UPDATE payments
                SET status = {status}, failure_reason = {saga.FailureReason}, charge_id = {saga.ChargeId},
                    completed_at = {completedAt}, updated_at = {completedAt}
              WHERE id = {saga.CorrelationId} AND status = {PaymentStatus.Pending}
             """, cancellationToken);
    }
}
