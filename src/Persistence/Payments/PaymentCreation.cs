using MassTransit;
using Payments.Contracts;
using Payments.Persistence.Idempotency;
using Payments.Sagas;
using Payments.Processing.Telemetry;

namespace Payments.Persistence.Payments;

/// <summary>
/// Creates a payment exactly once per (user, Idempotency-Key) (<see cref="IdempotentCreation"/>), in one transaction: stores
/// the payment and the first row of its history, writes <see cref="PaymentRequested"/> to the outbox and stores the response
/// for replays. A payment is counted as created once its transaction committed; a replay is not. <c>admit</c>, when given,
/// decides whether a request that would create one may (a replay is answered without asking it).
/// </summary>
public sealed class PaymentCreation(PaymentsDbContext db, IPublishEndpoint publish, PaymentMetrics metrics)
{
    public async Task<CreationResult> CreateOnce(Payment payment, string key, byte[] fingerprint, Func<Payment, CreatedResponse> respond,
        CancellationToken cancellationToken, Func<bool>? admit = null)
    {
        var result = await IdempotentCreation.Run(db, payment.UserId, key, fingerprint, payment.Id, payment.CreatedAt, async () =>
        {
            await publish.Publish(
                new PaymentRequested(payment.Id, payment.UserId, payment.Amount, payment.Currency, payment.Description, payment.CreatedAt),
                cancellationToken);
            db.Payments.Add(payment);
            db.PaymentEvents.Add(new PaymentEvent { PaymentId = payment.Id, Type = PaymentEventTypes.Created, OccurredAt = payment.CreatedAt });
            return respond(payment);
        }, cancellationToken, admit);
        if (result.Outcome == CreationOutcome.Created)
            metrics.Created(payment.Currency);
        return result;
    }
}
