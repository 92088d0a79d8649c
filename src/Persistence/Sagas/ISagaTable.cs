using MassTransit;

namespace Payments.Persistence.Sagas;

/// <summary>
/// The SQL one saga type needs from <see cref="PostgresSagaRepository{TSaga}"/>: its table's row lock and insert, and what
/// else is written with each saved state.
/// </summary>
public interface ISagaTable<TSaga>
    where TSaga : class, ISaga
{
    /// <summary><c>SELECT … FOR UPDATE</c>: messages for one saga are processed one after the other, never interleaved.</summary>
    Task<TSaga?> LoadForUpdate(PaymentsDbContext db, Guid correlationId, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the new instance unless a racing message created it first (<c>ON CONFLICT DO NOTHING</c>, which keeps the
    /// transaction usable: in Postgres a failed INSERT would abort it); false when it was there already.
    /// </summary>
    Task<bool> InsertIfAbsent(PaymentsDbContext db, TSaga instance, CancellationToken cancellationToken);

    /// <summary>Runs in the saving transaction, before the state is written.</summary>
    Task BeforeSave(PaymentsDbContext db, TSaga instance, CancellationToken cancellationToken);

    /// <summary>Sets the instance's <c>UpdatedAt</c>.</summary>
    void Touch(TSaga instance, DateTimeOffset now);
}
