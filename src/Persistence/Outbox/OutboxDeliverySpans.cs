using System.Diagnostics;
using MassTransit.Logging;
using Payments.Outbox;
using Payments.Processing.Telemetry;

namespace Payments.Persistence.Outbox;

/// <summary>
/// One <c>outbox process</c> span per row handed to the transport, as MassTransit's own outbox delivery makes: a child of
/// the span that wrote the row (its stored <c>MT-Activity-Id</c>), so a payment's trace runs from the request through
/// the outbox to the consumer. The row's <c>MT-Activity-Id</c> is re-stamped with the new span for this send, so the
/// transport's hop and the receiver's span hang under it. A row sent in a batch has its span cover the batch's call.
/// </summary>
sealed class OutboxDeliverySpans : IDisposable
{
    public const string Name = "outbox process";

    readonly Dictionary<long, Activity> _spans = [];

    public static OutboxDeliverySpans Start(IEnumerable<OutboxMessage> rows)
    {
        var spans = new OutboxDeliverySpans();
        var current = Activity.Current;
        foreach (var row in rows)
        {
            var activity = PaymentsActivitySource.Source.StartActivity(Name, ActivityKind.Client, StoredParent(row));
            // Each row's span is a sibling under its own parent, not a child of the previous row's.
            Activity.Current = current;
            if (activity is null)
                continue;
            activity.SetTag("messaging.operation", "process");
            activity.SetTag("messaging.message.id", row.MessageId.ToString("D"));
            activity.SetTag("messaging.destination.name", row.DestinationAddress?.AbsolutePath.TrimStart('/'));
            row.SetHeader(DiagnosticHeaders.ActivityId, activity.Id!);
            spans._spans[row.SequenceNumber] = activity;
        }
        return spans;
    }

    public void Failed(OutboxMessage row, string reason)
    {
        if (_spans.TryGetValue(row.SequenceNumber, out var activity))
            activity.SetStatus(ActivityStatusCode.Error, reason);
    }

    public void Dispose()
    {
        foreach (var activity in _spans.Values)
            activity.Stop();
    }

    static ActivityContext StoredParent(OutboxMessage row) =>
        row.TextHeader(DiagnosticHeaders.ActivityId) is { } id && ActivityContext.TryParse(id, null, out var parent)
            ? parent
            : default;
}
