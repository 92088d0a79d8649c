using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Payments.TestSupport;

/// <summary>Adds in-memory exporters to the tracer and meter providers a host's real registration built.</summary>
public static class TelemetryRecording
{
    public static IServiceCollection RecordSpans(this IServiceCollection services, RecordedSpans spans) =>
        services.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(spans));

    public static IServiceCollection RecordMetrics(this IServiceCollection services, ICollection<MetricSnapshot> metrics) =>
        services.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics));
}
