using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Refunds;

/// <summary>Reads of a user's refunds; nobody sees another user's.</summary>
public sealed class RefundQueries(PaymentsDbContext db)
{
    public Task<Refund?> Find(Guid userId, Guid refundId, CancellationToken cancellationToken) =>
        db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId && r.UserId == userId, cancellationToken);

    /// <summary>
    /// The payment's refunds, oldest first (a payment has a few: no pages); null when the user has no such payment
    /// (someone else's included).
    /// </summary>
    public async Task<List<Refund>?> ListForPayment(Guid userId, Guid paymentId, CancellationToken cancellationToken)
    {
        if (!await db.Payments.AnyAsync(p => p.Id == paymentId && p.UserId == userId, cancellationToken))
            return null;
        return await db.Refunds.AsNoTracking()
            .Where(r => r.PaymentId == paymentId)
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
            .ToListAsync(cancellationToken);
    }
}
