using Microsoft.EntityFrameworkCore;
using Payments.Persistence.Idempotency;

namespace Payments.Persistence.Webhooks;

/// <summary>
/// A user's webhook endpoints: created once per Idempotency-Key, read, changed, rotated and deleted by their owner only
/// (anyone else's is "not there"). Changes take the row's lock, so the delivery side's writes to the same row are not lost.
/// </summary>
public sealed class WebhookEndpoints(PaymentsDbContext db)
{
    public Task<CreationResult> CreateOnce(WebhookEndpoint endpoint, string key, byte[] fingerprint,
        Func<WebhookEndpoint, CreatedResponse> respond, CancellationToken cancellationToken) =>
        IdempotentCreation.Run(db, endpoint.UserId, key, fingerprint, endpoint.Id, endpoint.CreatedAt, () =>
        {
            db.WebhookEndpoints.Add(endpoint);
            return Task.FromResult<CreatedResponse?>(respond(endpoint));
        }, cancellationToken);

    public Task<WebhookEndpoint?> Find(Guid userId, Guid id, CancellationToken cancellationToken) =>
        db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.UserId == userId, cancellationToken);

    /// <summary>Newest first, keyset-paginated by (created_at, id), as a user's payments are.</summary>
    public Task<List<WebhookEndpoint>> ListNewestFirst(Guid userId, (DateTimeOffset CreatedAt, Guid Id)? after, int limit,
        CancellationToken cancellationToken)
    {
        var query = after is not { } key
            ? db.WebhookEndpoints.Where(e => e.UserId == userId)
            : db.WebhookEndpoints.FromSql(
                $"SELECT * FROM webhook_endpoints WHERE user_id = {userId} AND (created_at, id) < ({key.CreatedAt}, {key.Id})");
        return query.AsNoTracking()
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Applies <paramref name="change"/> to the user's endpoint under its row lock; null when the user has no such endpoint.</summary>
    public async Task<WebhookEndpoint?> Change(Guid userId, Guid id, Action<WebhookEndpoint> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Not composed into a subquery (no operator after FromSql), so the lock clause stays where Postgres wants it.
        var endpoint = (await db.WebhookEndpoints
            .FromSql($"SELECT * FROM webhook_endpoints WHERE id = {id} AND user_id = {userId} FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (endpoint is null)
            return null;
        change(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return endpoint;
    }

    /// <summary>Deletes the user's endpoint and (by the foreign key's cascade) its deliveries; false when there was none.</summary>
    public async Task<bool> Delete(Guid userId, Guid id, CancellationToken cancellationToken) =>
        await db.WebhookEndpoints.Where(e => e.Id == id && e.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 1;
}
