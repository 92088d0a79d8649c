using System.Diagnostics.Metrics;

namespace Payments.Processing.Telemetry;

/// <summary>
/// A payment's life on the <c>Payments</c> meter: created, terminal by status, and the seconds in between. Storage records
/// each only once the transaction that makes it true has committed, and only when that transaction changed the payment,
/// so neither a rollback nor a redelivered message counts.
/// </summary>
public sealed class PaymentMetrics
{
    // From the happy path (tens of milliseconds) through gateway retries and charge timeouts (seconds to minutes) to a
    // payment that waited hours for reconciliation.
    static readonly double[] DurationBuckets =
        [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

    readonly Counter<long> _created;
    readonly Counter<long> _completed;
    readonly Histogram<double> _duration;
    readonly Counter<long> _refundsCreated;

    public PaymentMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PaymentsMeter.Name);
        _created = meter.CreateCounter<long>(PaymentsMeter.Created, "{payment}", "Payments created (a replayed request is not counted again)");
        _completed = meter.CreateCounter<long>(PaymentsMeter.Completed, "{payment}", "Payments that reached a terminal status, by status");
        _duration = meter.CreateHistogram(PaymentsMeter.Duration, "s", "Time from a payment's creation to its terminal status",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _refundsCreated = meter.CreateCounter<long>(PaymentsMeter.RefundsCreated, "{refund}", "Refunds created (a replayed request is not counted again)");
    }

    public void Created(string currency) => _created.Add(1, new KeyValuePair<string, object?>(PaymentsMeter.CurrencyTag, currency));

    public void RefundCreated(string currency) =>
        _refundsCreated.Add(1, new KeyValuePair<string, object?>(PaymentsMeter.CurrencyTag, currency));

    public void Completed(string status, TimeSpan sinceCreation)
    {
        var tag = new KeyValuePair<string, object?>(PaymentsMeter.StatusTag, status);
        _completed.Add(1, tag);
        _duration.Record(Math.Max(0, sinceCreation.TotalSeconds), tag);
    }
}
