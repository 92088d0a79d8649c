using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Outbox;

/// <summary>A parked outbox row as the <c>outbox</c> verb shows it.</summary>
public sealed record ParkedOutboxRow(long SequenceNumber, Guid MessageId, string MessageType, string? DestinationAddress, int Attempts,
    DateTime ParkedAt, string? LastError);

/// <summary>Which parked rows to re-queue: all of them, or one by its sequence number or its message id.</summary>
public sealed record ParkedSelection(bool All, long? SequenceNumber = null, Guid? MessageId = null);

/// <summary>
/// Rows delivery gave up on (<see cref="OutboxDeliveryService"/> parks them): counted, listed, and re-queued, which
/// clears the park and the attempt count so the delivery service claims them again on its next poll. The last
/// error stays until the row is delivered (and deleted) or fails again, so the operator can still see why it failed.
/// </summary>
public sealed class ParkedOutboxRows(PaymentsDbContext db)
{
    // The listing's columns, named as ParkedOutboxRow's properties; "p" holds the values from before a re-queue.
    const string Columns = """
                           o.sequence_number AS "SequenceNumber", o.message_id AS "MessageId", o.message_type AS "MessageType",
                           o.destination_address AS "DestinationAddress", p.attempts AS "Attempts", p.parked_at AS "ParkedAt",
                           o.last_error AS "LastError"
                           """;

    public Task<long> Count(CancellationToken cancellationToken) =>
        db.OutboxMessages.LongCountAsync(x => x.ParkedAt != null, cancellationToken);

    /// <summary>Up to <paramref name="max"/> parked rows, oldest first.</summary>
    public Task<List<ParkedOutboxRow>> List(int max, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<ParkedOutboxRow>(FormattableStringFactory.Create($$"""
            SELECT {{Columns}} FROM outbox_messages o CROSS JOIN LATERAL (SELECT o.attempts, o.parked_at) AS p
             WHERE o.parked_at IS NOT NULL
             ORDER BY o.sequence_number
             LIMIT {0}
            """, max))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Re-queues the selected parked rows in one statement and returns them as they were. With
    /// <paramref name="dryRun"/> the same statement runs and is rolled back, so it shows exactly what would move.
    /// </summary>
    public async Task<List<ParkedOutboxRow>> Requeue(ParkedSelection selection, bool dryRun, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await db.Database.SqlQuery<ParkedOutboxRow>(FormattableStringFactory.Create($$"""
            UPDATE outbox_messages o SET parked_at = NULL, attempts = 0
              FROM (SELECT sequence_number, attempts, parked_at FROM outbox_messages
                     WHERE parked_at IS NOT NULL AND ({0} OR sequence_number = {1} OR message_id = {2})
                     FOR UPDATE) AS p
             WHERE o.sequence_number = p.sequence_number
            RETURNING {{Columns}}
            """, selection.All, selection.SequenceNumber, selection.MessageId))
            .ToListAsync(cancellationToken);
        if (dryRun)
            await transaction.RollbackAsync(cancellationToken);
        else
            await transaction.CommitAsync(cancellationToken);
        return rows.OrderBy(r => r.SequenceNumber).ToList();
    }
}
