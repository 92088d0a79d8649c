namespace Payments.Persistence.Outbox;

/// <summary>
/// Wakes the delivery service when a transaction committed new outbox rows, so delivery does not wait for
/// the next poll. A signal raised while nobody waits is kept, never lost.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    readonly SemaphoreSlim _pending = new(0, 1);

    public void Raise()
    {
        try
        {
            if (_pending.CurrentCount == 0)
                _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // already raised
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _pending.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _pending.Dispose();
}
