using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Payments.Processing.Telemetry;
using Xunit;

namespace Payments.TestSupport;

/// <summary>
/// One host's <c>Payments</c> meter as an exporter receives it: OpenTelemetry's SDK listens to the meter and exports into
/// memory whenever <see cref="Collect"/> asks (that is also when the observable gauges are read).
/// </summary>
public sealed class HostMetrics : IDisposable
{
    readonly List<MetricSnapshot> _exported = [];
    readonly MeterProvider _provider;

    public HostMetrics(IServiceProvider host)
    {
        var hostMeters = host.GetRequiredService<IMeterFactory>();
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(PaymentsMeter.Name)
            // Meters are process-wide: the instruments of the hosts of tests running beside this one are dropped, by the
            // factory that created them.
            .AddView(instrument => ReferenceEquals(instrument.Meter.Scope, hostMeters) ? null : MetricStreamConfiguration.Drop)
            .AddInMemoryExporter(_exported)
            .Build();
    }

    /// <summary>Exports now; each instrument's points, cumulative since this object was made (gauges: their current value).</summary>
    public CollectedMetrics Collect()
    {
        lock (_exported)
        {
            _exported.Clear();
            _provider.ForceFlush();
            return new CollectedMetrics(_exported.ToList());
        }
    }

    public void Dispose() => _provider.Dispose();
}

/// <summary>One export of a host's <c>Payments</c> meter, read by instrument name and tags.</summary>
public sealed class CollectedMetrics(IReadOnlyList<MetricSnapshot> metrics)
{
    /// <summary>A counter's sum over the points with these tags (all points when none are given); 0 when it has no such point.</summary>
    public long Sum(string name, params (string Key, object Value)[] tags) =>
        Points(name, tags).Sum(p => p.GetSumLong());

    /// <summary>A gauge's value at the point with these tags, or null when it reported none.</summary>
    public double? Gauge(string name, params (string Key, object Value)[] tags)
    {
        if (metrics.SingleOrDefault(m => m.Name == name) is not { } metric)
            return null;
        var points = Points(name, tags).ToList();
        if (points.Count == 0)
            return null;
        var point = Assert.Single(points);
        return metric.MetricType == MetricType.DoubleGauge ? point.GetGaugeLastValueDouble() : point.GetGaugeLastValueLong();
    }

    /// <summary>A histogram's count and sum at the point with these tags, and its bucket boundaries.</summary>
    public (long Count, double Sum, double[] Boundaries) Histogram(string name, params (string Key, object Value)[] tags)
    {
        var point = Points(name, tags).Single();
        var boundaries = new List<double>();
        foreach (var bucket in point.GetHistogramBuckets())
            if (!double.IsPositiveInfinity(bucket.ExplicitBound))
                boundaries.Add(bucket.ExplicitBound);
        return (point.GetHistogramCount(), point.GetHistogramSum(), boundaries.ToArray());
    }

    IEnumerable<MetricPoint> Points(string name, (string Key, object Value)[] tags) =>
        metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints).Where(p => HasTags(p, tags));

    static bool HasTags(MetricPoint point, (string Key, object Value)[] tags)
    {
        var actual = new Dictionary<string, object?>();
        foreach (var tag in point.Tags)
            actual[tag.Key] = tag.Value;
        return tags.All(t => actual.TryGetValue(t.Key, out var value) && Equals(value, t.Value));
    }
}
