using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Payments;

/// <summary>The position after which a keyset page starts: the last row of the page before.</summary>
public readonly record struct PaymentKey(DateTimeOffset CreatedAt, Guid Id);

/// <summary>Reads of a user's payments; nobody sees another user's.</summary>
public sealed class PaymentQueries(PaymentsDbContext db)
{
    public Task<Payment?> Find(Guid userId, Guid paymentId, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId && p.UserId == userId, cancellationToken);

    /// <summary>
    /// Newest first, keyset-paginated by (created_at, id): up to <paramref name="limit"/> payments after <paramref name="after"/>,
    /// optionally of one status. The (user_id, created_at, id) index serves it whatever the page.
    /// </summary>
    public Task<List<Payment>> ListNewestFirst(Guid userId, string? status, PaymentKey? after, int limit, CancellationToken cancellationToken)
    {
        IQueryable<Payment> query = after is not { } key
            ? db.Payments.Where(p => p.UserId == userId)
            : db.Payments.FromSql($"SELECT * FROM payments WHERE user_id = {userId} AND (created_at, id) < ({key.CreatedAt}, {key.Id})");
        if (status is not null)
            query = query.Where(p => p.Status == status);

        return query.AsNoTracking()
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The payment's history, oldest first, keyset-paginated by the row's id: up to <paramref name="limit"/> rows after
    /// <paramref name="afterId"/>; null when the user has no such payment (someone else's included).
    /// </summary>
    public async Task<List<PaymentEvent>?> ListHistory(Guid userId, Guid paymentId, long? afterId, int limit, CancellationToken cancellationToken)
    {
        if (!await db.Payments.AnyAsync(p => p.Id == paymentId && p.UserId == userId, cancellationToken))
            return null;

        var after = afterId ?? 0;
        return await db.PaymentEvents.AsNoTracking()
            .Where(e => e.PaymentId == paymentId && e.Id > after)
            .OrderBy(e => e.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }
}
