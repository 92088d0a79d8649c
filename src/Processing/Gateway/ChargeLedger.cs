using System.Collections.Concurrent;

namespace Payments.Processing.Gateway;

/// <summary>The fake gateway's record of every idempotency key it has seen and what it did.</summary>
public interface IChargeLedger
{
    /// <summary>The first decision for the key, made now if the key is new; every call is counted.</summary>
    Task<LedgerEntry> Record(GatewayCharge charge, Func<GatewayResult> decide, CancellationToken cancellationToken);

    Task<LedgerEntry?> Find(string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>The ledger in memory: it lives as long as the process (all-in-one mode, most tests).</summary>
public sealed class ChargeLedger : IChargeLedger
{
    readonly ConcurrentDictionary<string, LedgerEntry> _entries = new();
    int _calls;

    public int Calls => _calls;

    public IReadOnlyCollection<LedgerEntry> Entries => _entries.Values.ToList();

    /// <summary>Money actually moved: approved entries.</summary>
    public IReadOnlyCollection<LedgerEntry> Charges => _entries.Values.Where(x => x.Result.Approved).ToList();

    public Task<LedgerEntry?> Find(string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(_entries.GetValueOrDefault(idempotencyKey));

    public Task<LedgerEntry> Record(GatewayCharge charge, Func<GatewayResult> decide, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var entry = _entries.GetOrAdd(charge.IdempotencyKey, _ => new LedgerEntry(charge, decide(), DateTimeOffset.UtcNow));
        entry.CountRequest();
        return Task.FromResult(entry);
    }
}

public sealed class LedgerEntry(GatewayCharge charge, GatewayResult result, DateTimeOffset at, int requests = 0)
{
    int _requests = requests;

    public GatewayCharge Charge { get; } = charge;
    public GatewayResult Result { get; } = result;
    public DateTimeOffset At { get; } = at;

    /// <summary>How many calls carried this key (first one included).</summary>
    public int Requests => _requests;

    internal void CountRequest() => Interlocked.Increment(ref _requests);
}
