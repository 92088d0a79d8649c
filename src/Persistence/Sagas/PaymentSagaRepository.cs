using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

/// <summary>
/// MassTransit saga repository for <see cref="PaymentState"/> on Postgres (pessimistic locking). When the
/// consumer inbox already opened a transaction, the saga joins it: state, outgoing messages and the inbox
/// mark commit together; otherwise it commits a transaction of its own, then runs what waits for it (<see cref="AfterCommit"/>).
/// </summary>
public sealed class PaymentSagaRepository(PaymentsDbContext db, ISagaConsumeContextFactory<PaymentsDbContext, PaymentState> factory,
    AfterCommit afterCommit)
    : ISagaRepositoryContextFactory<PaymentState>,
      ILoadSagaRepositoryContextFactory<PaymentState>,
      IQuerySagaRepositoryContextFactory<PaymentState>
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<PaymentState, T>> next)
        where T : class =>
        WithinTransaction(async () =>
        {
            var repositoryContext = new PaymentSagaRepositoryContext<T>(db, context, factory);
            await next.Send(repositoryContext);
        }, context.CancellationToken);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<PaymentState> query, IPipe<SagaRepositoryQueryContext<PaymentState, T>> next)
        where T : class =>
        WithinTransaction(async () =>
        {
            var ids = await db.PaymentSagas.AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId)
                .ToListAsync(context.CancellationToken);

            var instances = new List<PaymentState>(ids.Count);
            foreach (var id in ids.Order())
                if (await PaymentSagaLocks.LoadForUpdate(db, id, context.CancellationToken) is { } instance)
                    instances.Add(instance);

            var repositoryContext = new PaymentSagaRepositoryContext<T>(db, context, factory);
            await next.Send(new LoadedSagaRepositoryQueryContext<PaymentState, T>(repositoryContext, instances));
        }, context.CancellationToken);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<PaymentState>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new ReadOnlyContext(db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<PaymentState>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new ReadOnlyContext(db, cancellationToken));

    public void Probe(ProbeContext context) => context.Add("persistence", "postgres");

    async Task WithinTransaction(Func<Task> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            await work();
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        try
        {
            await work();
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            db.ChangeTracker.Clear();
            afterCommit.RolledBack();
            throw;
        }
        afterCommit.Committed();
    }

    sealed class ReadOnlyContext(PaymentsDbContext db, CancellationToken cancellationToken)
        : MassTransit.Middleware.BasePipeContext(cancellationToken),
          LoadSagaRepositoryContext<PaymentState>,
          QuerySagaRepositoryContext<PaymentState>
    {
        public async Task<PaymentState> Load(Guid correlationId) =>
            (await db.PaymentSagas.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

        public async Task<SagaRepositoryQueryContext<PaymentState>> Query(ISagaQuery<PaymentState> query, CancellationToken cancellationToken = default)
        {
            var ids = await db.PaymentSagas.AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId)
                .ToListAsync(cancellationToken);
            return new DefaultSagaRepositoryQueryContext<PaymentState>(this, ids);
        }
    }
}
