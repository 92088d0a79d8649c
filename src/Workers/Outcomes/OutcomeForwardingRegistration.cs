using Amazon.Runtime;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Aws;
using Payments.Aws.EventBridge;
using Payments.Aws.Signing;

namespace Payments.Workers.Outcomes;

public static class OutcomeForwardingRegistration
{
    const string HttpClientName = "EventBridge";

    /// <summary>The options (validated at start-up) and the signed EventBridge client, built on first use.</summary>
    public static IServiceCollection AddOutcomeForwardingServices(this IServiceCollection services)
    {
        services.AddOptions<OutcomeForwardingOptions>().BindConfiguration(OutcomeForwardingOptions.Section)
            .ValidateDataAnnotations()
            .Validate<IServiceProvider>((o, sp) => !o.Enabled || sp.GetService<OutcomeForwarderRegistration>() is not null,
                $"{OutcomeForwardingOptions.BusNameKey} is set but the outcome forwarder is not registered: this host's " +
                "configuration was not available to AddPaymentWorkers; pass it explicitly.")
            .ValidateOnStart();

        services.AddHttpClient(HttpClientName, (sp, http) =>
                http.Timeout = sp.GetRequiredService<IOptions<OutcomeForwardingOptions>>().Value.RequestTimeout)
            // The client lives as long as the process: recycle pooled connections so DNS changes are seen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OutcomeForwardingOptions>>().Value;
            var endpoint = new AwsEndpointOptions { Region = options.Region, ServiceUrl = options.ServiceUrl };
            return new EventBridgeClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), endpoint,
                options.ServiceUrl is null ? null : AwsRegistration.EmulatorCredentials);
        });
        return services;
    }

    /// <summary>
    /// The forwarder and its queue, when <c>Payments:EventBridge:BusName</c> is set in <paramref name="configuration"/>.
    /// Off, nothing is registered: no queue collects outcomes that nobody forwards.
    /// </summary>
    public static void AddOutcomeForwarder(this IBusRegistrationConfigurator bus, IConfiguration? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration?[OutcomeForwardingOptions.BusNameKey]))
            return;
        bus.AddConsumer<OutcomeForwarder, OutcomeForwarderDefinition>();
        // Joins the SQS topology next to WorkerEndpoints.All, so its queue is provisioned, subscribed and polled.
        bus.AddSingleton(WorkerEndpoints.ForwardOutcomes);
        bus.AddSingleton<OutcomeForwarderRegistration>();
    }

    sealed class OutcomeForwarderRegistration;
}
