using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Aws.Http;
using Payments.Processing.Outcomes;

namespace Payments.Aws.EventBridge;

public static class OutcomeForwardingRegistration
{
    /// <summary>Whether <c>Payments:EventBridge:BusName</c> is set: the host then puts the outcome forwarder on its bus.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OutcomeForwardingOptions.BusNameKey]);

    /// <summary>The options (validated at start-up) and the signed EventBridge client behind the outcome event bus, built on first use.</summary>
    public static IServiceCollection AddOutcomeForwardingServices(this IServiceCollection services)
    {
        services.AddOptions<OutcomeForwardingOptions>().BindConfiguration(OutcomeForwardingOptions.Section)
            .ValidateDataAnnotations()
            .Validate<IServiceProvider>((o, sp) => !o.Enabled || sp.GetService<OutcomeForwarderRegistration>() is not null,
                $"{OutcomeForwardingOptions.BusNameKey} is set but the outcome forwarder is not registered: this host's " +
                "bus registration did not ask for it (AddPaymentWorkers(forwardOutcomes: …)).")
            .ValidateOnStart();

        services.AddEventBridgeClient(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OutcomeForwardingOptions>>().Value;
            return AwsRegistration.Endpoint(options.Region, options.ServiceUrl);
        });
        services.AddSingleton<IOutcomeEventBus, EventBridgeOutcomeBus>();
        return services;
    }
}
