using System.Data;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Payments.Persistence.Outbox;

namespace Payments.Persistence.Inbox;

/// <summary>
/// Consumer inbox on Postgres, plugged into MassTransit's outbox middleware. For each (MessageId, consumer)
/// the inbox row is claimed and locked with <c>FOR UPDATE</c>; the consumer's work, its outgoing messages, the "consumed"
/// mark and (in-memory transport) the deletion of the consumed message's outbox row once all its consumers have it
/// commit in one transaction, so a redelivered message finds the mark and does nothing.
/// What the work left for after the commit (<see cref="AfterCommit"/>) runs once it committed, and is dropped if it did not.
/// </summary>
public sealed class InboxContextFactory(PaymentsDbContext db, IServiceProvider provider, AfterCommit afterCommit)
    : IOutboxContextFactory<PaymentsDbContext>
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The inbox needs a MessageId");

        InboxState? inboxState = null;
        var continueProcessing = true;
        while (continueProcessing)
        {
            InboxConsumeContext<T> inboxContext;
            if (inboxState is { Consumed: not null, Delivered: not null })
            {
                // MassTransit's outbox pipe comes back once more after the pass that consumed the message, only to
                // report it consumed: the state committed a moment ago answers that without another transaction.
                inboxContext = new InboxConsumeContext<T>(context, options, provider, db, inboxState);
                await next.Send(inboxContext);
            }
            else
            {
                await using (var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken))
                {
                    try
                    {
                        inboxState = await Claim(messageId, options.ConsumerId, context.CancellationToken);
                        inboxContext = new InboxConsumeContext<T>(context, options, provider, db, inboxState);
                        await next.Send(inboxContext);
                        await db.SaveChangesAsync(context.CancellationToken);
                        if (inboxState.Consumed is not null)
                            await ConsumedRows.Release(db, context.ReceiveContext.TransportHeaders, messageId, context.CancellationToken);
                        await transaction.CommitAsync(context.CancellationToken);
                    }
                    catch
                    {
                        db.ChangeTracker.Clear();
                        afterCommit.RolledBack();
                        throw;
                    }
                }

                afterCommit.Committed();
            }

            continueProcessing = inboxContext.ContinueProcessing;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outboxContextFactory").Add("provider", "postgres");

    // One statement claims, counts and locks the row: a new row is locked by its own insert, an existing one by the
    // update, so a concurrent redelivery waits here and then finds the message consumed.
    async Task<InboxState> Claim(Guid messageId, Guid consumerId, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var rows = await db.InboxStates
            .FromSql($"""
                      INSERT INTO inbox_states (message_id, consumer_id, received, receive_count)
                      VALUES ({messageId}, {consumerId}, {now}, 1)
                      ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = inbox_states.receive_count + 1
                      RETURNING *
                      """)
            .AsTracking()
            .ToListAsync(cancellationToken);
        return rows.Single();
    }
}
