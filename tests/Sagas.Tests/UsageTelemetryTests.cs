using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Messaging;

namespace Payments.Sagas.Tests;

/// <summary>Network traffic goes only where the system sends it: MassTransit's usage report to its vendor is off.</summary>
public class UsageTelemetryTests
{
    [Fact]
    public void The_production_bus_configuration_turns_MassTransit_usage_telemetry_off()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus => MessagingRegistration.ConfigureBus(bus, _ => { }));
        using var provider = services.BuildServiceProvider();

        Assert.False(provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
