using System.Collections.Concurrent;

namespace Payments.Processing.Gateway;

/// <summary>The fake gateway's record of every idempotency key it has seen and what it did.</summary>
public interface IChargeLedger
{
    /// <summary>The first decision for the key, made now if the key is new; every call is counted.</summary>
    Task<LedgerEntry> Record(GatewayCharge charge, Func<GatewayResult> decide, CancellationToken cancellationToken);

    Task<LedgerEntry?> Find(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// The first decision for the refund's key, made now if the key is new, from the charge it refunds (null when unknown) and
    /// what approved refunds already gave back of it; refunds of one charge are decided one at a time. Every call is counted.
    /// </summary>
    Task<RefundLedgerEntry> RecordRefund(GatewayRefund refund, Func<LedgerEntry?, long, GatewayResult> decide, CancellationToken cancellationToken);

    Task<RefundLedgerEntry?> FindRefund(string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>The ledger in memory: it lives as long as the process (all-in-one mode, most tests).</summary>
public sealed class ChargeLedger : IChargeLedger
{
    readonly ConcurrentDictionary<string, LedgerEntry> _entries = new();
    readonly ConcurrentDictionary<string, RefundLedgerEntry> _refunds = new();
    readonly Lock _refunding = new();
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

    public IReadOnlyCollection<RefundLedgerEntry> RefundEntries => _refunds.Values.ToList();

    public Task<RefundLedgerEntry?> FindRefund(string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(_refunds.GetValueOrDefault(idempotencyKey));

    public Task<RefundLedgerEntry> RecordRefund(GatewayRefund refund, Func<LedgerEntry?, long, GatewayResult> decide,
        CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        lock (_refunding)
        {
            if (!_refunds.TryGetValue(refund.IdempotencyKey, out var entry))
            {
                var refunded = _refunds.Values.Where(x => x.Refund.ChargeKey == refund.ChargeKey && x.Result.Approved).Sum(x => x.Refund.Amount);
                entry = new RefundLedgerEntry(refund, decide(_entries.GetValueOrDefault(refund.ChargeKey), refunded), DateTimeOffset.UtcNow);
                _refunds[refund.IdempotencyKey] = entry;
            }
            entry.CountRequest();
            return Task.FromResult(entry);
        }
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

public sealed class RefundLedgerEntry(GatewayRefund refund, GatewayResult result, DateTimeOffset at, int requests = 0)
{
    int _requests = requests;

    public GatewayRefund Refund { get; } = refund;
    public GatewayResult Result { get; } = result;
    public DateTimeOffset At { get; } = at;

    /// <summary>How many calls carried this key (first one included).</summary>
    public int Requests => _requests;

    internal void CountRequest() => Interlocked.Increment(ref _requests);
}
