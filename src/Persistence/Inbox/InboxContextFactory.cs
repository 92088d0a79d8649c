using System.Data;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Payments.Persistence.Outbox;

namespace Payments.Persistence.Inbox;

/// <summary>
/// Consumer inbox on Postgres, plugged into MassTransit's outbox middleware. For each (MessageId, consumer)
/// the inbox row is claimed and locked with <c>FOR UPDATE</c>; the consumer's work, its outgoing messages and
/// the "consumed" mark commit in one transaction, so a redelivered message finds the mark and does nothing.
/// </summary>
public sealed class InboxContextFactory(PaymentsDbContext db, IServiceProvider provider, OutboxSignal signal)
    : IOutboxContextFactory<PaymentsDbContext>
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The inbox needs a MessageId");

        var continueProcessing = true;
        while (continueProcessing)
        {
            var addedMessages = false;
            await using (var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken))
            {
                try
                {
                    var inboxState = await Claim(messageId, options.ConsumerId, context.CancellationToken);
                    inboxState.ReceiveCount++;

                    var inboxContext = new InboxConsumeContext<T>(context, options, provider, db, inboxState);
                    await next.Send(inboxContext);
                    await db.SaveChangesAsync(context.CancellationToken);
                    await transaction.CommitAsync(context.CancellationToken);

                    continueProcessing = inboxContext.ContinueProcessing;
                    addedMessages = inboxContext.AddedMessages;
                }
                catch
                {
                    db.ChangeTracker.Clear();
                    throw;
                }
            }

            if (addedMessages)
                signal.Raise();
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outboxContextFactory").Add("provider", "postgres");

    // Insert-if-absent then lock, in the same transaction: a concurrent redelivery waits on the row lock
    // instead of failing on the primary key.
    async Task<InboxState> Claim(Guid messageId, Guid consumerId, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO inbox_states (message_id, consumer_id, received, receive_count)
             VALUES ({messageId}, {consumerId}, {now}, 0)
             ON CONFLICT (message_id, consumer_id) DO NOTHING
             """, cancellationToken);

        return await db.InboxStates
            .FromSql($"SELECT * FROM inbox_states WHERE message_id = {messageId} AND consumer_id = {consumerId} FOR UPDATE")
            .AsTracking()
            .SingleAsync(cancellationToken);
    }
}
