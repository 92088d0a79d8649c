using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Persistence.Idempotency;
using Payments.Sagas;
using Payments.Processing.Telemetry;

namespace Payments.Persistence.Payments;

/// <summary>What became of a create request, with the response to give (stored, so a replay matches the original).</summary>
public enum CreationOutcome { Created, Replayed, InProgress, KeyReused }

public sealed record CreationResult(CreationOutcome Outcome, int Status = 0, string Body = "", string? Location = null);

/// <summary>The response a new payment answers with, stored with its key: status, body and location.</summary>
public sealed record CreatedResponse(int Status, string Body, string Location);

/// <summary>
/// Creates a payment exactly once per (user, Idempotency-Key), in one transaction: claims the key, stores the payment and
/// the first row of its history, writes <see cref="PaymentRequested"/> to the outbox and stores the response for replays. The same key with the same
/// request fingerprint replays the stored response; with another one it is refused; while the first holds the key, the
/// second is told it is in flight. A payment is counted as created once its transaction committed; a replay is not.
/// </summary>
public sealed class PaymentCreation(PaymentsDbContext db, IPublishEndpoint publish, PaymentMetrics metrics)
{
    public async Task<CreationResult> CreateOnce(Payment payment, string key, byte[] fingerprint, Func<Payment, CreatedResponse> respond,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var (outcome, existing) = await IdempotencyClaim.TryClaim(db, payment.UserId, key, cancellationToken);
            switch (outcome)
            {
                case IdempotencyClaim.Outcome.InProgress:
                    return new CreationResult(CreationOutcome.InProgress);
                case IdempotencyClaim.Outcome.Completed when existing!.RequestHash.AsSpan().SequenceEqual(fingerprint):
                    return new CreationResult(CreationOutcome.Replayed, existing.ResponseStatus, existing.ResponseBody, existing.ResponseLocation);
                case IdempotencyClaim.Outcome.Completed:
                    return new CreationResult(CreationOutcome.KeyReused);
            }

            await publish.Publish(
                new PaymentRequested(payment.Id, payment.UserId, payment.Amount, payment.Currency, payment.Description, payment.CreatedAt),
                cancellationToken);

            var response = respond(payment);
            db.Payments.Add(payment);
            db.PaymentEvents.Add(new PaymentEvent { PaymentId = payment.Id, Type = PaymentEventTypes.Created, OccurredAt = payment.CreatedAt });
            db.IdempotencyKeys.Add(new IdempotencyRecord
            {
                UserId = payment.UserId,
                Key = key,
                RequestHash = fingerprint,
                ResponseStatus = response.Status,
                ResponseBody = response.Body,
                ResponseLocation = response.Location,
                PaymentId = payment.Id,
                CreatedAt = payment.CreatedAt,
            });

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                metrics.Created(payment.Currency);
                return new CreationResult(CreationOutcome.Created, response.Status, response.Body, response.Location);
            }
            catch (DbUpdateException e) when (attempt == 1 && DbConflicts.IsUniqueViolation(e))
            {
                // Lost a race the lock cannot see (e.g. a lock-hash collision): look again, now the winner has committed.
                db.ChangeTracker.Clear();
            }
        }
    }
}
