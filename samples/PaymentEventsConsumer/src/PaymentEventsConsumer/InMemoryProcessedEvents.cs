using System.Collections.Concurrent;

namespace PaymentEventsConsumer;

/// <summary>The sample's store: forgets everything on restart, which a real service must not (see <see cref="IProcessedEvents"/>).</summary>
public sealed class InMemoryProcessedEvents : IProcessedEvents
{
    readonly ConcurrentDictionary<Guid, byte> _seen = new();

    public Task<bool> TryRecord(Guid eventId, CancellationToken cancellationToken) => Task.FromResult(_seen.TryAdd(eventId, 0));
}
