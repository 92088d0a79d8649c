using Microsoft.EntityFrameworkCore;
using Payments.Processing.Webhooks;

namespace Payments.Persistence.Webhooks;

/// <summary>
/// Plans an outcome's deliveries in the scope's transaction (the completion's, which finished the payment or refund): one row
/// per matching endpoint, <c>ON CONFLICT (endpoint_id, event_id) DO NOTHING</c> so planning the event again adds nothing, and
/// the sender is woken after the commit.
/// </summary>
public sealed class PostgresWebhookPlanner(PaymentsDbContext db, AfterCommit afterCommit, WebhookSignal signal, TimeProvider time)
{
    /// <summary>
    /// One pending delivery of the event per enabled endpoint of <paramref name="userId"/> subscribed to
    /// <paramref name="eventType"/>, due now, its body (the payment) fixed now; an (endpoint, event) pair planned before is
    /// left as it is, so planning the event again adds nothing. The sender is woken once the transaction commits. Returns
    /// how many deliveries were planned.
    /// </summary>
    public async Task<int> PlanOutcome(Guid eventId, string eventType, Guid paymentId, Guid userId, CancellationToken cancellationToken)
    {
        if (!await Subscribed(userId, eventType, cancellationToken))
            return 0;
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId, cancellationToken)
                      ?? throw new InvalidOperationException($"Payment {paymentId} of outcome event {eventId} does not exist");
        return await Plan(eventId, eventType, userId, WebhookPayload.For(eventType, payment.CompletedAt ?? payment.UpdatedAt, payment), cancellationToken);
    }

    /// <summary>As <see cref="PlanOutcome"/>, with the refund as the body.</summary>
    public async Task<int> PlanRefundOutcome(Guid eventId, string eventType, Guid refundId, Guid userId, CancellationToken cancellationToken)
    {
        if (!await Subscribed(userId, eventType, cancellationToken))
            return 0;
        var refund = await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId, cancellationToken)
                     ?? throw new InvalidOperationException($"Refund {refundId} of outcome event {eventId} does not exist");
        return await Plan(eventId, eventType, userId, WebhookPayload.For(eventType, refund.CompletedAt ?? refund.UpdatedAt, refund), cancellationToken);
    }

    // Most owners have no endpoint: one indexed look-up, and nothing else is read.
    Task<bool> Subscribed(Guid userId, string eventType, CancellationToken cancellationToken) =>
        db.WebhookEndpoints.AnyAsync(e => e.UserId == userId && e.Enabled && e.EventTypes.Contains(eventType), cancellationToken);

    async Task<int> Plan(Guid eventId, string eventType, Guid userId, string payload, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var planned = await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
             SELECT gen_random_uuid(), e.id, {eventId}, {eventType}, {payload}, 'pending', 0, {now}, {now}
               FROM webhook_endpoints e
              WHERE e.user_id = {userId} AND e.enabled AND {eventType} = ANY (e.event_types)
             ON CONFLICT (endpoint_id, event_id) DO NOTHING
             """, cancellationToken);
        if (planned > 0)
            afterCommit.Add(signal.Raise);
        return planned;
    }
}
