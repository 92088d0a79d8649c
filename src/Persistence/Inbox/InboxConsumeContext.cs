using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Payments.Persistence.Outbox;
using Payments.Outbox;

namespace Payments.Persistence.Inbox;

/// <summary>
/// The consume context a consumer or saga sees inside the inbox transaction. Whatever it sends or publishes
/// becomes an outbox row in that transaction, handed to the transport after the commit
/// (<see cref="OutboxCommitHook"/>). Because delivery is the outbox's job, a message counts as delivered the moment it is
/// consumed: there is nothing for this context to send afterwards.
/// </summary>
sealed class InboxConsumeContext<TMessage>(
    ConsumeContext<TMessage> context,
    OutboxConsumeOptions options,
    IServiceProvider provider,
    PaymentsDbContext db,
    InboxState inboxState)
    : OutboxConsumeContextProxy<TMessage>(context, options, provider)
    where TMessage : class
{
    public override Guid? MessageId => inboxState.MessageId;
    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed => inboxState.Consumed.HasValue;
    public override bool IsOutboxDelivered => inboxState.Delivered.HasValue;
    public override int ReceiveCount => inboxState.ReceiveCount;
    public override long? LastSequenceNumber => inboxState.LastSequenceNumber;

    public override async Task SetConsumed()
    {
        inboxState.Consumed = inboxState.Delivered = DateTime.UtcNow;
        await db.SaveChangesAsync(CancellationToken);
    }

    public override async Task SetDelivered()
    {
        inboxState.Delivered = DateTime.UtcNow;
        await db.SaveChangesAsync(CancellationToken);
    }

    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;

    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override Task AddSend<T>(SendContext<T> context)
    {
        db.AddOutboxMessage(OutboxMessage.From(context, SerializerContext, inboxState.MessageId, ConsumerId));
        return Task.CompletedTask;
    }
}
