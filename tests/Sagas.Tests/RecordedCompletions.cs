using System.Collections.Concurrent;
using Payments.Sagas;

namespace Payments.Sagas.Tests;

/// <summary>The storage side of finishing a payment, for the in-memory harness: records each call instead of writing rows.</summary>
public sealed class RecordedCompletions : IPaymentCompletion
{
    readonly ConcurrentDictionary<Guid, ConcurrentQueue<string>> _calls = new();

    public Task Complete(PaymentState saga, string publicStatus, CancellationToken cancellationToken)
    {
        _calls.GetOrAdd(saga.CorrelationId, _ => new ConcurrentQueue<string>()).Enqueue(publicStatus);
        return Task.CompletedTask;
    }

    public IReadOnlyList<string> Of(Guid paymentId) => _calls.TryGetValue(paymentId, out var calls) ? calls.ToList() : [];
}
