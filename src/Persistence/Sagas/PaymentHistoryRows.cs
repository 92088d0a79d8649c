using Microsoft.EntityFrameworkCore;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// Writes the history a transition recorded on the saga (<see cref="PaymentState.NewHistory"/>) to <c>payment_events</c> on the
/// saga's own connection and transaction, and empties the list: the rows commit with the state they describe or not at all.
/// </summary>
static class PaymentHistoryRows
{
    public static async Task Append(PaymentsDbContext db, PaymentState saga, CancellationToken cancellationToken)
    {
        var entries = saga.NewHistory;
        if (entries.Count == 0)
            return;

        var types = entries.Select(e => e.Type).ToArray();
        var occurredAt = entries.Select(e => e.OccurredAt).ToArray();
        var attempts = entries.Select(e => e.Attempt).ToArray();
        var details = entries.Select(e => e.Detail).ToArray();
        var dueAt = entries.Select(e => e.DueAt).ToArray();
        // One statement whatever the count; the rows take their ids in the order the transition recorded them.
        await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO payment_events (payment_id, type, occurred_at, attempt, detail, due_at)
             SELECT {saga.CorrelationId}, e.type, e.occurred_at, e.attempt, e.detail, e.due_at
               FROM unnest({types}, {occurredAt}, {attempts}, {details}, {dueAt})
                    WITH ORDINALITY AS e(type, occurred_at, attempt, detail, due_at, n)
              ORDER BY e.n
             """, cancellationToken);
        entries.Clear();
    }
}
