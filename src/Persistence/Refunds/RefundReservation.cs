using Microsoft.EntityFrameworkCore;
using Payments.Contracts;

namespace Payments.Persistence.Refunds;

/// <summary>
/// Holds a refund's amount against what its payment can still give back, in the caller's transaction. One conditional
/// UPDATE raises <c>refund_reserved</c> only while the payment is SUCCESS and the sum stays within its amount (compared as
/// a difference, so no amount a client sends can overflow it): Postgres
/// re-checks the condition on the newest row version after waiting for a concurrent reservation's lock, so no interleaving
/// of requests reserves more than was charged (the table's check constraint is the last line of defence).
/// </summary>
static class RefundReservation
{
    /// <summary>The reserved payment's currency, or null when the condition matched no row (then nothing changed).</summary>
    public static async Task<string?> TryReserve(PaymentsDbContext db, Guid userId, Guid paymentId, long amount, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<string>(
            $"""
             UPDATE payments
                SET refund_reserved = refund_reserved + {amount}, updated_at = {now}
              WHERE id = {paymentId} AND user_id = {userId} AND status = {PaymentStatus.Success}
                AND {amount} <= amount - refund_reserved
             RETURNING currency AS "Value"
             """).ToListAsync(cancellationToken)).SingleOrDefault();

    /// <summary>What the payment allows now (the newest committed row): null when the user has no such payment.</summary>
    public static Task<RefundablePayment?> Read(PaymentsDbContext db, Guid userId, Guid paymentId, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking()
            .Where(p => p.Id == paymentId && p.UserId == userId)
            .Select(p => new RefundablePayment(p.Status, p.Currency, p.Amount - p.RefundReserved))
            .SingleOrDefaultAsync(cancellationToken);
}

/// <summary>A payment as a refund sees it: its status, currency and the amount not yet held by refunds.</summary>
sealed record RefundablePayment(string Status, string Currency, long Remaining);
