using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Sagas;

/// <summary>
/// One message's view of the saga table. Instances are loaded with <c>SELECT … FOR UPDATE</c>, so two
/// messages for the same saga are processed one after the other, never interleaved. Saving a state also writes what the
/// table adds to it (<see cref="ISagaTable{TSaga}.BeforeSave"/>), in the same transaction.
/// </summary>
sealed class PostgresSagaRepositoryContext<TSaga, TMessage>(
    PaymentsDbContext db,
    ConsumeContext<TMessage> context,
    ISagaConsumeContextFactory<PaymentsDbContext, TSaga> factory,
    ISagaTable<TSaga> table)
    : ConsumeContextScope<TMessage>(context, db), SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly ConsumeContext<TMessage> consumeContext = context;

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(db, consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        if (!await table.InsertIfAbsent(db, instance, CancellationToken))
            return default!;

        var locked = await table.LoadForUpdate(db, instance.CorrelationId, CancellationToken);
        return await factory.CreateSagaConsumeContext(db, consumeContext, locked!, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await table.LoadForUpdate(db, correlationId, CancellationToken);
        return instance is null
            ? default!
            : await factory.CreateSagaConsumeContext(db, consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        table.Touch(context.Saga, DateTimeOffset.UtcNow);
        db.Set<TSaga>().Add(context.Saga);
        await table.BeforeSave(db, context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }

    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        if (db.Entry(context.Saga).State == EntityState.Modified)
            table.Touch(context.Saga, DateTimeOffset.UtcNow);
        await table.BeforeSave(db, context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        db.Set<TSaga>().Remove(context.Saga);
        await table.BeforeSave(db, context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        var entry = db.ChangeTracker.Entries<TSaga>().FirstOrDefault(x => x.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null)
            entry.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, TSaga instance,
        SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(db, context, instance, mode);
}
