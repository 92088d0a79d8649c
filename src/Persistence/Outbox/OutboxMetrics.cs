using System.Diagnostics.Metrics;

namespace Payments.Persistence.Outbox;

/// <summary>
/// The outbox's instruments on the <c>Payments</c> meter: <c>payments.outbox.parked</c>, the parked rows at the last
/// count, and <c>payments.outbox.parked_total</c>, the rows parked by this process. Created through the host's
/// <see cref="IMeterFactory"/>, so each host (and each test's host) has meters of its own.
/// </summary>
public sealed class OutboxMetrics
{
    public const string MeterName = "Payments";
    public const string ParkedGauge = "payments.outbox.parked";
    public const string ParkedCounter = "payments.outbox.parked_total";

    readonly Counter<long> _parkedTotal;
    // -1 until the first count: the gauge reports nothing rather than a made-up zero.
    long _parkedNow = -1;

    public OutboxMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _parkedTotal = meter.CreateCounter<long>(ParkedCounter, "{row}", "Outbox rows parked after failing too often or being unsendable");
        meter.CreateObservableGauge(ParkedGauge, ObserveParked, "{row}", "Outbox rows parked, waiting for `outbox retry`, at the last count");
    }

    public void RowsParked(int count) => _parkedTotal.Add(count);

    public void ParkedNow(long count) => Interlocked.Exchange(ref _parkedNow, count);

    IEnumerable<Measurement<long>> ObserveParked()
    {
        var count = Interlocked.Read(ref _parkedNow);
        return count < 0 ? [] : [new Measurement<long>(count)];
    }
}
