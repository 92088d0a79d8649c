using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Idempotency;

/// <summary>
/// What became of a create request (<see cref="Shed"/>: refused by admission control; <see cref="Refused"/>: the write itself
/// declined, e.g. a refund of more than remains; nothing written either way, and the key is free again).
/// </summary>
public enum CreationOutcome { Created, Replayed, InProgress, KeyReused, Shed, Refused }

/// <summary>What became of a create request, with the response to give (stored, so a replay matches the original).</summary>
public sealed record CreationResult(CreationOutcome Outcome, int Status = 0, string Body = "", string? Location = null);

/// <summary>The response a new resource answers with, stored with its key: status, body and location.</summary>
public sealed record CreatedResponse(int Status, string Body, string Location);

/// <summary>
/// Runs a create exactly once per (user, Idempotency-Key), in one transaction: claims the key, lets the caller add what it
/// creates, and stores the response for replays. The same key with the same request fingerprint replays the stored
/// response; with another one (another body, or another kind of request) it is refused; while the first holds the key, the
/// second is told it is in flight. Keys are per user, shared by every create operation.
/// </summary>
static class IdempotentCreation
{
    /// <param name="write">
    /// Adds what the request creates to <paramref name="db"/> (run again if the first attempt lost a race); null: it declined,
    /// and everything it did in the transaction is rolled back with the claim.
    /// </param>
    /// <param name="admit">
    /// Asked only once the key is claimed and has no stored answer, so a replay is never refused; false: nothing is written.
    /// </param>
    public static async Task<CreationResult> Run(PaymentsDbContext db, Guid userId, string key, byte[] fingerprint, Guid createdId,
        DateTimeOffset createdAt, Func<Task<CreatedResponse?>> write, CancellationToken cancellationToken, Func<bool>? admit = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var (outcome, existing) = await IdempotencyClaim.TryClaim(db, userId, key, cancellationToken);
            switch (outcome)
            {
                case IdempotencyClaim.Outcome.InProgress:
                    return new CreationResult(CreationOutcome.InProgress);
                case IdempotencyClaim.Outcome.Completed when existing!.RequestHash.AsSpan().SequenceEqual(fingerprint):
                    return new CreationResult(CreationOutcome.Replayed, existing.ResponseStatus, existing.ResponseBody, existing.ResponseLocation);
                case IdempotencyClaim.Outcome.Completed:
                    return new CreationResult(CreationOutcome.KeyReused);
            }
            // Rolling back releases the claim: the client's retry with this key is a first request again.
            if (attempt == 1 && admit is not null && !admit())
                return new CreationResult(CreationOutcome.Shed);

            if (await write() is not { } response)
                return new CreationResult(CreationOutcome.Refused);
            db.IdempotencyKeys.Add(new IdempotencyRecord
            {
                UserId = userId,
                Key = key,
                RequestHash = fingerprint,
                ResponseStatus = response.Status,
                ResponseBody = response.Body,
                ResponseLocation = response.Location,
                PaymentId = createdId,
                CreatedAt = createdAt,
            });

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
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
