using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Payments.Persistence.Sagas;

/// <summary>
/// MassTransit saga repository on Postgres (pessimistic locking), for a saga whose table <see cref="ISagaTable{TSaga}"/> describes. When the
/// consumer inbox already opened a transaction, the saga joins it: state, outgoing messages and the inbox
/// mark commit together; otherwise it commits a transaction of its own, then runs what waits for it (<see cref="AfterCommit"/>).
/// </summary>
public sealed class PostgresSagaRepository<TSaga>(PaymentsDbContext db, ISagaConsumeContextFactory<PaymentsDbContext, TSaga> factory,
    ISagaTable<TSaga> table, AfterCommit afterCommit)
    : ISagaRepositoryContextFactory<TSaga>,
      ILoadSagaRepositoryContextFactory<TSaga>,
      IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        WithinTransaction(async () =>
        {
            var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(db, context, factory, table);
            await next.Send(repositoryContext);
        }, context.CancellationToken);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        WithinTransaction(async () =>
        {
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId)
                .ToListAsync(context.CancellationToken);

            var instances = new List<TSaga>(ids.Count);
            foreach (var id in ids.Order())
                if (await table.LoadForUpdate(db, id, context.CancellationToken) is { } instance)
                    instances.Add(instance);

            var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(db, context, factory, table);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
        }, context.CancellationToken);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new ReadOnlyContext(db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
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
          LoadSagaRepositoryContext<TSaga>,
          QuerySagaRepositoryContext<TSaga>
    {
        public async Task<TSaga> Load(Guid correlationId) =>
            (await db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

        public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
        {
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId)
                .ToListAsync(cancellationToken);
            return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
        }
    }
}
