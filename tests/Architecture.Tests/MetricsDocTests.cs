using System.Reflection;
using Payments.Processing.Telemetry;
using Payments.TestSupport;

namespace Payments.Architecture.Tests;

/// <summary><c>docs/metrics.md</c> has a row for every instrument of the <c>Payments</c> meter, so the table cannot lag behind the code.</summary>
public class MetricsDocTests
{
    [Fact]
    public void Every_instrument_of_the_Payments_meter_has_a_row()
    {
        var rows = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "metrics.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        var instruments = typeof(PaymentsMeter).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(name => name.StartsWith("payments.", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(instruments);
        foreach (var name in instruments)
            Assert.True(rows.Any(r => r.StartsWith($"| `{name}` |", StringComparison.Ordinal)), $"docs/metrics.md has no row for {name}");
    }
}
