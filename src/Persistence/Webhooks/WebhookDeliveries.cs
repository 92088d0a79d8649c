using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Processing.Webhooks;
using Payments.Sagas;

namespace Payments.Persistence.Webhooks;

/// <summary>
/// An endpoint's deliveries as its owner sees and steers them: the log, a retry of one, a replay of past events. Every
/// call names the owner; another user's endpoint is "not there" (null). Re-arming wakes this process's sender.
/// </summary>
public sealed class WebhookDeliveries(PaymentsDbContext db, WebhookSignal signal, TimeProvider time)
{
    const int ReplayBatch = 500;

    /// <summary>Newest first, keyset-paginated by (created_at, id); null when the user has no such endpoint.</summary>
    public async Task<List<WebhookDelivery>?> ListNewestFirst(Guid userId, Guid endpointId, (DateTimeOffset CreatedAt, Guid Id)? after, int limit,
        CancellationToken cancellationToken)
    {
        if (!await Owns(userId, endpointId, cancellationToken))
            return null;
        var query = after is not { } key
            ? db.WebhookDeliveries.Where(d => d.EndpointId == endpointId)
            : db.WebhookDeliveries.FromSql(
                $"SELECT * FROM webhook_deliveries WHERE endpoint_id = {endpointId} AND (created_at, id) < ({key.CreatedAt}, {key.Id})");
        return await query.AsNoTracking()
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the delivery pending again, due now, with a fresh schedule, whatever its status was (a succeeded one is sent
    /// again); an attempt in flight keeps its lease. Null when the user has no such endpoint or the endpoint no such delivery.
    /// </summary>
    public async Task<WebhookDelivery?> Retry(Guid userId, Guid endpointId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await db.WebhookDeliveries.FromSql(
                $"""
                 UPDATE webhook_deliveries d
                    SET status = 'pending', attempts = 0, next_attempt_at = {now}, delivered_at = NULL
                   FROM webhook_endpoints e
                  WHERE d.id = {deliveryId} AND d.endpoint_id = {endpointId} AND e.id = d.endpoint_id AND e.user_id = {userId}
                 RETURNING d.*
                 """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (rows is not [var delivery])
            return null;
        signal.Raise();
        return delivery;
    }

    /// <summary>
    /// Re-sends every outcome of the user's payments completed at or after <paramref name="since"/> whose type the endpoint
    /// takes: a delivery that exists is re-armed as by <see cref="Retry"/> (its body and <c>webhook-id</c> unchanged), a
    /// missing one is planned with the body the fan-out would have given it. Returns how many were armed, or null when the
    /// user has no such endpoint.
    /// </summary>
    public async Task<int?> Replay(Guid userId, Guid endpointId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == endpointId && e.UserId == userId, cancellationToken);
        if (endpoint is null)
            return null;
        var statuses = new[] { (PaymentStatus.Success, WebhookEventTypes.PaymentSucceeded), (PaymentStatus.Failed, WebhookEventTypes.PaymentFailed) }
            .Where(s => endpoint.EventTypes.Contains(s.Item2))
            .ToDictionary(s => s.Item1, s => s.Item2);
        if (statuses.Count == 0)
            return 0;

        var armed = 0;
        (DateTimeOffset CompletedAt, Guid Id)? after = null;
        while (true)
        {
            var page = await TerminalPayments(userId, [.. statuses.Keys], since, after, cancellationToken);
            if (page.Count == 0)
                break;
            var now = time.GetUtcNow();
            var eventIds = page.Select(p => OutcomeEventId.For(p.Id)).ToArray();
            var types = page.Select(p => statuses[p.Status]).ToArray();
            var payloads = page.Select(p => WebhookPayload.For(statuses[p.Status], p.CompletedAt!.Value, p)).ToArray();
            armed += await db.Database.ExecuteSqlAsync(
                $"""
                 INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
                 SELECT gen_random_uuid(), {endpointId}, u.event_id, u.event_type, u.payload, 'pending', 0, {now}, {now}
                   FROM unnest({eventIds}::uuid[], {types}::text[], {payloads}::text[]) AS u(event_id, event_type, payload)
                 ON CONFLICT (endpoint_id, event_id)
                 DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at, delivered_at = NULL
                 """, cancellationToken);
            if (page.Count < ReplayBatch)
                break;
            after = (page[^1].CompletedAt!.Value, page[^1].Id);
        }
        if (armed > 0)
            signal.Raise();
        return armed;
    }

    Task<List<Payments.Payment>> TerminalPayments(Guid userId, string[] statuses, DateTimeOffset since, (DateTimeOffset CompletedAt, Guid Id)? after,
        CancellationToken cancellationToken)
    {
        var query = after is not { } key
            ? db.Payments.Where(p => p.UserId == userId && statuses.Contains(p.Status) && p.CompletedAt >= since)
            : db.Payments.FromSql(
                    $"SELECT * FROM payments WHERE user_id = {userId} AND completed_at >= {since} AND (completed_at, id) > ({key.CompletedAt}, {key.Id})")
                .Where(p => statuses.Contains(p.Status));
        return query.AsNoTracking().OrderBy(p => p.CompletedAt).ThenBy(p => p.Id).Take(ReplayBatch).ToListAsync(cancellationToken);
    }

    Task<bool> Owns(Guid userId, Guid endpointId, CancellationToken cancellationToken) =>
        db.WebhookEndpoints.AnyAsync(e => e.Id == endpointId && e.UserId == userId, cancellationToken);
}
