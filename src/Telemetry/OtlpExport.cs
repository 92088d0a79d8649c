using Microsoft.Extensions.Configuration;

namespace Payments.Telemetry;

/// <summary>The standard OpenTelemetry switches, read from configuration (environment variables included).</summary>
public static class OtlpExport
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    /// <summary>Whether to export over OTLP: only when a collector's endpoint is given.</summary>
    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[EndpointKey]);

    /// <summary><c>OTEL_SDK_DISABLED=true</c>: no provider at all, so nothing listens and no span is even created.</summary>
    public static bool SdkDisabled(IConfiguration configuration) =>
        string.Equals(configuration[SdkDisabledKey]?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
