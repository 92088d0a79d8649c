using System.Collections.Concurrent;
using Payments.Sagas;

namespace Payments.Sagas.Tests;

/// <summary>The storage side of finishing a refund, for the in-memory harness: records each call instead of writing rows.</summary>
public sealed class RecordedRefundCompletions : IRefundCompletion
{
    readonly ConcurrentDictionary<Guid, ConcurrentQueue<string>> _calls = new();

    public Task Complete(RefundState saga, string status, CancellationToken cancellationToken)
    {
        _calls.GetOrAdd(saga.CorrelationId, _ => new ConcurrentQueue<string>()).Enqueue(status);
        return Task.CompletedTask;
    }

    public IReadOnlyList<string> Of(Guid refundId) => _calls.TryGetValue(refundId, out var calls) ? calls.ToList() : [];
}
