using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Payments.Outbox;

namespace Payments.Persistence.Outbox;

/// <summary>
/// Hands the outbox rows a transaction wrote to the <see cref="OutboxDispatcher"/> once, and only once, that transaction
/// committed: rows saved outside a transaction right after the save, rows saved inside one when it commits; a
/// transaction that rolls back (or is abandoned and a new one begun) hands over nothing.
/// </summary>
public sealed class OutboxCommitHook(IServiceProvider services) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // Resolved on the first rows: a process that never writes any (a command-line verb) needs no transport.
    OutboxDispatcher Dispatcher => field ??= services.GetRequiredService<OutboxDispatcher>();

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as PaymentsDbContext)?.ForgetOutboxRows();
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => (eventData.Context as PaymentsDbContext)?.ForgetOutboxRows();

    void Saved(DbContext? context)
    {
        if (context is not PaymentsDbContext db || db.OutboxRowsSaved() is not { Count: > 0 } saved)
            return;
        if (db.Database.CurrentTransaction is null)
            Dispatcher.Send(saved);
        else
            db.OutboxRowsAwaitingCommit.AddRange(saved);
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Forget(eventData.Context);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    void Committed(DbContext? context)
    {
        if (context is not PaymentsDbContext db || db.OutboxRowsAwaitingCommit.Count == 0)
            return;
        var committed = db.OutboxRowsAwaitingCommit.ToList();
        db.OutboxRowsAwaitingCommit.Clear();
        Dispatcher.Send(committed);
    }

    static void Forget(DbContext? context)
    {
        if (context is PaymentsDbContext db)
            db.OutboxRowsAwaitingCommit.Clear();
    }
}
