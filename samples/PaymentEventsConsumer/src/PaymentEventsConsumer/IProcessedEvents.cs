namespace PaymentEventsConsumer;

/// <summary>
/// The <c>EventId</c>s this service has acted on. Delivery is at least once, so the same event can arrive again
/// (a redelivery, a replay, a second publish); acting only when <see cref="TryRecord"/> returns true makes it once.
/// </summary>
/// <remarks>
/// A real service records the id in its own database, in the same transaction as the effect (e.g. a table with
/// the event id as primary key, <c>INSERT … ON CONFLICT DO NOTHING</c>, act only when a row was inserted, commit).
/// </remarks>
public interface IProcessedEvents
{
    /// <returns>True the first time an id is recorded, false for every later call with it.</returns>
    Task<bool> TryRecord(Guid eventId, CancellationToken cancellationToken);
}
