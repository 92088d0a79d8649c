using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Payments.Processing.Telemetry;

namespace Payments.Telemetry;

public static class TelemetryRegistration
{
    /// <summary>
    /// What both hosts (and every mode of them) trace and measure: MassTransit's spans and meter, our own
    /// (<see cref="PaymentsActivitySource.Name"/>, <see cref="PaymentsMeter.Name"/>), ASP.NET Core, HttpClient, Npgsql and the runtime. The providers always
    /// listen, so MassTransit writes trace context into every message and log lines carry trace ids; they export over OTLP
    /// only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. <c>OTEL_SDK_DISABLED=true</c> leaves OpenTelemetry out.
    /// </summary>
    public static void AddPaymentsTelemetry(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // Every log line written inside a span carries its ids, as a scope (the JSON console prints scopes).
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (OtlpExport.SdkDisabled(configuration))
            return;

        var export = OtlpExport.IsConfigured(configuration);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration[OtlpExport.ServiceNameKey] ?? builder.Environment.ApplicationName))
            .WithTracing(tracing =>
            {
                tracing.SetSampler(UntracedClientCallsSampler.ParentBased())
                    .AddSource(DiagnosticHeaders.DefaultListenerName, PaymentsActivitySource.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (export)
                    tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(InstrumentationOptions.MeterName, PaymentsMeter.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (export)
                    metrics.AddOtlpExporter();
            });
    }
}
