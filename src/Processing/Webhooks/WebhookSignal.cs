namespace Payments.Processing.Webhooks;

/// <summary>
/// Wakes the sender: deliveries were committed, re-armed, or an attempt ended and freed a slot. A signal raised while
/// nobody waits is kept, never lost.
/// </summary>
public sealed class WebhookSignal : IDisposable
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

    /// <summary>Takes the signal if it is raised, without waiting: whether anything was planned since the last take.</summary>
    public bool TryTake() => _pending.Wait(0);

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _pending.Dispose();
}
