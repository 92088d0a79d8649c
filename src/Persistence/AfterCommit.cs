namespace Payments.Persistence;

/// <summary>
/// What may happen only once the scope's transaction has committed, such as counting a payment that reached its terminal
/// status: a transaction that rolls back (and is retried, or redelivered) must not have counted. Whoever commits the
/// scope's transaction runs it; whoever rolls it back drops it.
/// </summary>
public sealed class AfterCommit
{
    readonly List<Action> _pending = [];

    public void Add(Action action) => _pending.Add(action);

    public void Committed()
    {
        foreach (var action in _pending)
            action();
        _pending.Clear();
    }

    public void RolledBack() => _pending.Clear();
}
