using System.Diagnostics.Metrics;
using Payments.Processing.Telemetry;

namespace Payments.Persistence.Outbox;

/// <summary>
/// The outbox's instruments on the <c>Payments</c> meter: the rows due and the oldest due row's age, the parked rows
/// (each at the delivery service's last measurement), and the rows this process parked. Gauges report what was last
/// measured, never a query of their own, so a scrape costs nothing; before the first measurement they report nothing
/// rather than a made-up zero. Created through the host's <see cref="IMeterFactory"/>, so each host (and each test's
/// host) has meters of its own.
/// </summary>
public sealed class OutboxMetrics
{
    readonly Counter<long> _parkedMessages;
    readonly object _gate = new();
    OutboxBacklog? _backlog;
    long? _parked;

    public OutboxMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PaymentsMeter.Name);
        _parkedMessages = meter.CreateCounter<long>(PaymentsMeter.OutboxParkedMessages, "{message}",
            "Outbox rows this process parked after they failed too often or could never be sent");
        meter.CreateObservableGauge(PaymentsMeter.OutboxParked, () => Observe(() => _parked), "{message}",
            "Outbox rows parked, waiting for `outbox retry`, at the last count");
        meter.CreateObservableGauge(PaymentsMeter.OutboxDue, () => Observe(() => _backlog?.Due), "{message}",
            "Outbox rows due for delivery (not parked) at the last measurement");
        meter.CreateObservableGauge(PaymentsMeter.OutboxOldestDueAge, () => Observe(() => _backlog?.OldestAge.TotalSeconds), "s",
            "How long the oldest due outbox row had waited at the last measurement (0 when none was due)");
    }

    public void RowsParked(int count) => _parkedMessages.Add(count);

    public void ParkedNow(long count)
    {
        lock (_gate)
            _parked = count;
    }

    public void BacklogNow(OutboxBacklog backlog)
    {
        lock (_gate)
            _backlog = backlog;
    }

    IEnumerable<Measurement<T>> Observe<T>(Func<T?> read) where T : struct
    {
        lock (_gate)
            return read() is { } value ? [new Measurement<T>(value)] : [];
    }
}
