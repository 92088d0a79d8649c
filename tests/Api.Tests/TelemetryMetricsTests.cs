using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Api.Tests;

/// <summary>The host's real registration hands the meters it names to whatever exporter is configured (here in memory).</summary>
public class TelemetryMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_payment_moves_the_Payments_and_MassTransit_meters_and_ASP_NET_Core_Npgsql_and_runtime_report_too()
    {
        var metrics = new List<MetricSnapshot>();
        var spans = new RecordedSpans();
        await using var api = await ApiFactory.Start(services: s => s.RecordSpans(spans).RecordMetrics(metrics));
        var user = Guid.NewGuid();

        var response = await PaymentRequests.Post(api.ClientFor(user), PaymentRequests.Body(user), "metered-1");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await PaymentSpans.WaitForTerminalTransition(spans, (await PaymentRequests.Json(response)).GetProperty("id").GetGuid());
        Assert.True(api.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000), "the meter provider did not flush");

        foreach (var meter in metrics.GroupBy(m => m.MeterName))
            output.WriteLine($"{meter.Key}: {string.Join(", ", meter.Select(m => m.Name).Distinct().Order())}");
        var meters = metrics.Select(m => m.MeterName).ToHashSet();
        Assert.Contains("Payments", meters);
        Assert.Contains("MassTransit", meters);
        Assert.Contains("Microsoft.AspNetCore.Hosting", meters);
        Assert.Contains("Npgsql", meters);
        Assert.Contains("System.Runtime", meters);
        // At least this payment's: the saga took PaymentRequested and PaymentCharged, the gateway consumer ChargePayment (the
        // meter is the process's, so other tests' hosts may add to it).
        long Sum(string name) => metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints).Sum(p => p.GetSumLong());
        Assert.True(Sum("messaging.masstransit.saga") >= 2, $"MassTransit counted {Sum("messaging.masstransit.saga")} saga messages");
        Assert.True(Sum("messaging.masstransit.consume") >= 1, $"MassTransit counted {Sum("messaging.masstransit.consume")} consumed messages");
    }
}
