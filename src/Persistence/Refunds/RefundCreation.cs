using MassTransit;
using Payments.Contracts;
using Payments.Persistence.Idempotency;
using Payments.Processing.Telemetry;

namespace Payments.Persistence.Refunds;

/// <summary>What a client asks to give back: <see cref="Amount"/> null means all that remains; <see cref="Currency"/> null, the payment's.</summary>
public sealed record RefundAsk(Guid UserId, Guid PaymentId, long? Amount, string? Currency, string? Reason);

/// <summary>
/// Creates a refund exactly once per (user, Idempotency-Key) (<see cref="IdempotentCreation"/>, keys shared with every other
/// create), in one transaction: reserves its amount on the payment (<see cref="RefundReservation"/>), stores it as PENDING,
/// writes <see cref="RefundRequested"/> to the outbox and stores the response for replays. A refusal rolls all of it back,
/// the key's claim included, so a corrected retry with the same key is a first request.
/// </summary>
public sealed class RefundCreation(PaymentsDbContext db, IPublishEndpoint publish, PaymentMetrics metrics)
{
    /// <summary>A payment the omitted amount raced with (a concurrent refund took part of it) is read again, this often.</summary>
    const int Attempts = 3;

    public async Task<(CreationResult Result, RefundRefusal? Refusal)> CreateOnce(RefundAsk ask, Guid refundId, DateTimeOffset createdAt,
        string key, byte[] fingerprint, Func<Refund, CreatedResponse> respond, CancellationToken cancellationToken)
    {
        RefundRefusal? refusal = null;
        Refund? refund = null;
        var result = await IdempotentCreation.Run(db, ask.UserId, key, fingerprint, refundId, createdAt, async () =>
        {
            (refund, refusal) = await Reserve(ask, refundId, createdAt, cancellationToken);
            if (refund is null)
                return null;
            await publish.Publish(
                new RefundRequested(refund.Id, refund.PaymentId, refund.UserId, refund.Amount, refund.Currency, refund.Reason, refund.CreatedAt),
                cancellationToken);
            db.Refunds.Add(refund);
            return respond(refund);
        }, cancellationToken);
        if (result.Outcome == CreationOutcome.Created)
            metrics.RefundCreated(refund!.Currency);
        return (result, refusal);
    }

    async Task<(Refund? Refund, RefundRefusal? Refusal)> Reserve(RefundAsk ask, Guid refundId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var amount = ask.Amount;
            if (amount is null)
            {
                var payment = await RefundReservation.Read(db, ask.UserId, ask.PaymentId, cancellationToken);
                if (Refusal(payment, ask, wanted: 1) is { } refusal)
                    return (null, refusal);
                amount = payment!.Remaining;
            }

            if (await RefundReservation.TryReserve(db, ask.UserId, ask.PaymentId, amount.Value, now, cancellationToken) is { } currency)
                return ask.Currency is not null && ask.Currency != currency
                    // Rolled back with the rest of the transaction by the caller.
                    ? (null, new RefundRefusal.OtherCurrency(currency))
                    : (New(ask, refundId, amount.Value, currency, now), null);

            var latest = await RefundReservation.Read(db, ask.UserId, ask.PaymentId, cancellationToken);
            // An omitted amount is refused only when nothing at all remains; else the next lap takes the new remainder.
            if (Refusal(latest, ask, ask.Amount ?? 1) is { } why)
                return (null, why);
            // The condition failed, yet the payment allows it now: a concurrent refund failed (released) or took part of an
            // omitted amount between the read and the update. Bounded: each lap means another request made progress.
            if (attempt == Attempts)
                return (null, new RefundRefusal.ExceedsRemaining(latest!.Remaining, latest.Currency));
        }
    }

    static RefundRefusal? Refusal(RefundablePayment? payment, RefundAsk ask, long wanted) => payment switch
    {
        null => new RefundRefusal.NoSuchPayment(),
        { Status: not PaymentStatus.Success } => new RefundRefusal.NotRefundable(payment.Status),
        _ when ask.Currency is not null && ask.Currency != payment.Currency => new RefundRefusal.OtherCurrency(payment.Currency),
        _ when payment.Remaining < wanted => new RefundRefusal.ExceedsRemaining(payment.Remaining, payment.Currency),
        _ => null,
    };

    static Refund New(RefundAsk ask, Guid id, long amount, string currency, DateTimeOffset now) => new()
    {
        Id = id,
        PaymentId = ask.PaymentId,
        UserId = ask.UserId,
        Amount = amount,
        Currency = currency,
        Reason = ask.Reason,
        Status = RefundStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };
}
