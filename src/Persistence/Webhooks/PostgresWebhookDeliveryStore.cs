using System.Data;
using Microsoft.EntityFrameworkCore;
using Payments.Processing.Webhooks;

namespace Payments.Persistence.Webhooks;

/// <summary>
/// The deliveries' schedule on Postgres. A claim first locks the endpoints that have due work (<c>SKIP LOCKED</c>: another
/// process claiming for the same endpoint skips it rather than waits), then, with those locks held and so with every
/// committed lease in view, counts each endpoint's live leases and leases due deliveries up to the per-endpoint cap. The
/// cap therefore holds across processes, and a delivery is never leased twice: the lease is re-checked on the row it sets.
/// </summary>
public sealed class PostgresWebhookDeliveryStore(PaymentsDbContext db) : IWebhookDeliveryStore
{
    public async Task<IReadOnlyList<ClaimedDelivery>> Claim(DateTimeOffset now, DateTimeOffset leaseUntil, int maxPerEndpoint, int limit,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var endpoints = await db.Database.SqlQuery<Guid>(
            $"""
             SELECT e.id AS "Value"
               FROM webhook_endpoints e
               JOIN (SELECT endpoint_id, min(next_attempt_at) AS first_due
                       FROM webhook_deliveries
                      WHERE status = 'pending' AND next_attempt_at <= {now} AND (lease_until IS NULL OR lease_until <= {now})
                      GROUP BY endpoint_id) due ON due.endpoint_id = e.id
              WHERE e.enabled
                AND (SELECT count(*) FROM webhook_deliveries l
                      WHERE l.endpoint_id = e.id AND l.status = 'pending' AND l.lease_until > {now}) < {maxPerEndpoint}
              ORDER BY due.first_due
              LIMIT {limit}
                FOR UPDATE OF e SKIP LOCKED
             """).ToListAsync(cancellationToken);
        if (endpoints.Count == 0)
            return [];

        var rows = await db.Database.SqlQuery<ClaimRow>(
            $"""
             WITH busy AS (
               SELECT endpoint_id, count(*) AS leased
                 FROM webhook_deliveries
                WHERE endpoint_id = ANY ({endpoints}) AND status = 'pending' AND lease_until > {now}
                GROUP BY endpoint_id
             ), ranked AS (
               SELECT d.id, d.next_attempt_at,
                      row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.id) + COALESCE(b.leased, 0) AS slot
                 FROM webhook_deliveries d LEFT JOIN busy b ON b.endpoint_id = d.endpoint_id
                WHERE d.endpoint_id = ANY ({endpoints}) AND d.status = 'pending' AND d.next_attempt_at <= {now}
                  AND (d.lease_until IS NULL OR d.lease_until <= {now})
             ), picked AS (
               SELECT id FROM ranked WHERE slot <= {maxPerEndpoint} ORDER BY next_attempt_at, id LIMIT {limit}
             )
             UPDATE webhook_deliveries d
                SET lease_until = {leaseUntil}
               FROM picked, webhook_endpoints e
              WHERE d.id = picked.id AND e.id = d.endpoint_id
                AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= {now})
             RETURNING d.id AS "Id", d.endpoint_id AS "EndpointId", d.event_id AS "EventId", d.event_type AS "EventType",
                       d.payload AS "Payload", d.attempts AS "Attempts", e.url AS "Url", e.secret AS "Secret",
                       e.previous_secret AS "PreviousSecret", e.previous_secret_expires_at AS "PreviousSecretExpiresAt"
             """).ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. rows.Select(r => r.ToClaimed())];
    }

    public async Task RecordSuccess(ClaimedDelivery delivery, int statusCode, DateTimeOffset now, CancellationToken cancellationToken) =>
        // A late 2xx also rescues a delivery another attempt already gave up on: it was delivered.
        await db.Database.ExecuteSqlAsync(
            $"""
             WITH delivered AS (
               UPDATE webhook_deliveries
                  SET status = 'succeeded', attempts = attempts + 1, delivered_at = {now}, last_attempt_at = {now},
                      last_response_code = {statusCode}, last_error = NULL, next_attempt_at = NULL, lease_until = NULL
                WHERE id = {delivery.Id} AND status <> 'succeeded'
             )
             UPDATE webhook_endpoints SET failing_since = NULL WHERE id = {delivery.EndpointId} AND failing_since IS NOT NULL
             """, cancellationToken);

    public async Task<string?> RecordFailure(ClaimedDelivery delivery, WebhookAttempt attempt, DateTimeOffset? nextAttemptAt, DateTimeOffset now,
        string? disableReason, DateTimeOffset disableIfFailingSince, CancellationToken cancellationToken)
    {
        var status = nextAttemptAt is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending;
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
             UPDATE webhook_deliveries
                SET attempts = attempts + 1, status = {status}, next_attempt_at = {nextAttemptAt}::timestamptz, lease_until = NULL,
                    last_attempt_at = {now}, last_response_code = {attempt.StatusCode}::integer, last_error = {attempt.Error}::varchar
              WHERE id = {delivery.Id} AND status = 'pending'
             """, cancellationToken);
        var endpoint = (await db.Database.SqlQuery<FailingEndpoint>(
            $"""
             UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, {now})
              WHERE id = {delivery.EndpointId}
             RETURNING enabled AS "Enabled", failing_since AS "FailingSince"
             """).ToListAsync(cancellationToken)).SingleOrDefault();

        string? disabled = null;
        if (endpoint is { Enabled: true })
        {
            disabled = disableReason ?? (endpoint.FailingSince <= disableIfFailingSince
                ? $"Disabled at {now:u}: every delivery attempt failed since {endpoint.FailingSince:u}"
                : null);
            if (disabled is not null)
                await db.Database.ExecuteSqlAsync(
                    $"""
                     UPDATE webhook_endpoints SET enabled = false, disabled_reason = {disabled}, disabled_at = {now}, updated_at = {now}
                      WHERE id = {delivery.EndpointId}
                     """, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return disabled;
    }

    public async Task<long> CountPending(CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<long>(
            $"""
             SELECT count(*) AS "Value" FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
              WHERE d.status = 'pending' AND e.enabled
             """).ToListAsync(cancellationToken)).Single();

    sealed class ClaimRow
    {
        public Guid Id { get; init; }
        public Guid EndpointId { get; init; }
        public Guid EventId { get; init; }
        public string EventType { get; init; } = null!;
        public string Payload { get; init; } = null!;
        public int Attempts { get; init; }
        public string Url { get; init; } = null!;
        public string Secret { get; init; } = null!;
        public string? PreviousSecret { get; init; }
        public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

        public ClaimedDelivery ToClaimed() =>
            new(Id, EndpointId, EventId, EventType, Payload, Attempts, Url, new WebhookSecrets(Secret, PreviousSecret, PreviousSecretExpiresAt));
    }

    sealed class FailingEndpoint
    {
        public bool Enabled { get; init; }
        public DateTimeOffset FailingSince { get; init; }
    }
}
