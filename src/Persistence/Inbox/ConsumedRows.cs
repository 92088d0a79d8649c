using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payments.Persistence.Outbox;

namespace Payments.Persistence.Inbox;

/// <summary>
/// Deletes the outbox row a consumed message came from, inside the consumer's inbox transaction, when the transport that
/// carried it keeps nothing over a crash (its transport headers name the row, <see cref="OutboxRowHeaders"/>; the stored
/// envelope's own headers are those of when the row was written): the row exists until
/// the message's effects are committed, so a crash at any point before leaves it for the sweep to send again. A message
/// several consumers take is deleted by whichever commits last: each locks the row, then counts the consumed inbox rows of
/// the message, its own included; under Read Committed the count, a statement after the lock, sees the others' commits.
/// </summary>
static class ConsumedRows
{
    public static async Task Release(PaymentsDbContext db, Headers headers, Guid messageId, CancellationToken cancellationToken)
    {
        if (OutboxRowHeaders.Read(headers) is not { } row)
            return;
        var (sequenceNumber, receivers) = row;
        if (receivers <= 1)
        {
            await db.Database.ExecuteSqlAsync(
                $"DELETE FROM outbox_messages WHERE sequence_number = {sequenceNumber} AND message_id = {messageId}", cancellationToken);
            return;
        }
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM outbox_messages WHERE sequence_number = {sequenceNumber} AND message_id = {messageId} FOR UPDATE", cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM outbox_messages
             WHERE sequence_number = {sequenceNumber} AND message_id = {messageId}
               AND (SELECT count(*) FROM inbox_states WHERE message_id = {messageId} AND consumed IS NOT NULL) >= {receivers}
            """, cancellationToken);
    }
}
