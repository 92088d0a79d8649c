using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// One message's view of the saga table. Instances are loaded with <c>SELECT … FOR UPDATE</c>, so two
/// messages for the same payment are processed one after the other, never interleaved. Saving a state also writes the
/// history its transition recorded, in the same transaction.
/// </summary>
sealed class PaymentSagaRepositoryContext<TMessage>(
    PaymentsDbContext db,
    ConsumeContext<TMessage> context,
    ISagaConsumeContextFactory<PaymentsDbContext, PaymentState> factory)
    : ConsumeContextScope<TMessage>(context, db), SagaRepositoryContext<PaymentState, TMessage>
    where TMessage : class
{
    readonly ConsumeContext<TMessage> consumeContext = context;

    public Task<SagaConsumeContext<PaymentState, TMessage>> Add(PaymentState instance) =>
        factory.CreateSagaConsumeContext(db, consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<PaymentState, TMessage>> Insert(PaymentState instance)
    {
        // ON CONFLICT keeps the transaction usable: in Postgres a failed INSERT would abort it.
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO payment_sagas (correlation_id, current_state, user_id, amount, currency, attempts,
                                        created_at, updated_at)
             VALUES ({instance.CorrelationId}, {instance.CurrentState ?? "Initial"}, {instance.UserId}, {instance.Amount},
                     {instance.Currency ?? ""}, {instance.Attempts}, {instance.CreatedAt}, {instance.UpdatedAt})
             ON CONFLICT (correlation_id) DO NOTHING
             """, CancellationToken);
        if (inserted == 0)
            return default!;

        var locked = await PaymentSagaLocks.LoadForUpdate(db, instance.CorrelationId, CancellationToken);
        return await factory.CreateSagaConsumeContext(db, consumeContext, locked!, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<PaymentState, TMessage>> Load(Guid correlationId)
    {
        var instance = await PaymentSagaLocks.LoadForUpdate(db, correlationId, CancellationToken);
        return instance is null
            ? default!
            : await factory.CreateSagaConsumeContext(db, consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<PaymentState> context)
    {
        context.Saga.UpdatedAt = DateTimeOffset.UtcNow;
        db.PaymentSagas.Add(context.Saga);
        await PaymentHistoryRows.Append(db, context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }

    public async Task Update(SagaConsumeContext<PaymentState> context)
    {
        if (db.Entry(context.Saga).State == EntityState.Modified)
            context.Saga.UpdatedAt = DateTimeOffset.UtcNow;
        await PaymentHistoryRows.Append(db, context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }

    public async Task Delete(SagaConsumeContext<PaymentState> context)
    {
        db.PaymentSagas.Remove(context.Saga);
        await PaymentHistoryRows.Append(db, context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<PaymentState> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<PaymentState> context)
    {
        var entry = db.ChangeTracker.Entries<PaymentState>().FirstOrDefault(x => x.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null)
            entry.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<PaymentState, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, PaymentState instance,
        SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(db, context, instance, mode);
}
