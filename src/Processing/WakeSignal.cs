namespace Payments.Processing;

/// <summary>
/// Wakes a polling loop at once when there is work, instead of at its next poll. A signal raised while nobody waits is
/// kept, never lost; raising it again before it is taken changes nothing.
/// </summary>
public abstract class WakeSignal : IDisposable
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

    /// <summary>Takes the signal if it is raised, without waiting.</summary>
    public bool TryTake() => _pending.Wait(0);

    /// <summary>Waits for the signal at most <paramref name="timeout"/>; true when it was raised.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        _pending.Dispose();
        GC.SuppressFinalize(this);
    }
}
