using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Payments.Aws.EventBridge;
using Payments.Aws.Sqs;
using Payments.Messaging;
using Payments.Processing;
using Payments.Processing.Endpoints;
using Payments.Processing.Outcomes;
using Payments.Workers;

namespace Payments.Aws.Tests;

/// <summary>How the worker's composition reacts to the <c>Payments:EventBridge</c> settings (nothing is started).</summary>
public class OutcomeForwardingRegistrationTests
{
    static IHost Worker(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Payments"] = "Host=127.0.0.1;Port=1;Username=nobody",
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = "http://127.0.0.1:1",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPaymentsWorker();
        return builder.Build();
    }

    [Fact]
    public void Without_a_bus_name_there_is_no_forwarder_and_no_queue()
    {
        using var worker = Worker([]);

        Assert.DoesNotContain(worker.Services.GetServices<MessageEndpoint>(), e => e.Queue == OutcomeForwarderDefinition.QueueName);
        Assert.False(worker.Services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(OutcomeForwarder)));
        Assert.False(worker.Services.GetRequiredService<IOptions<OutcomeForwardingOptions>>().Value.Enabled);
    }

    [Fact]
    public void With_a_bus_name_the_forward_outcomes_queue_takes_every_outcome_topic()
    {
        using var worker = Worker(new() { ["Payments:EventBridge:BusName"] = "payments-bus" });

        var endpoint = Assert.Single(worker.Services.GetServices<MessageEndpoint>(), e => e.Queue == OutcomeForwarderDefinition.QueueName);
        Assert.Equal(["Payments_Contracts-PaymentSucceeded", "Payments_Contracts-PaymentFailed", "Payments_Contracts-RefundSucceeded",
            "Payments_Contracts-RefundFailed"], endpoint.SubscribedTypes.Select(EntityNames.TopicFor));
        Assert.True(worker.Services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(OutcomeForwarder)));
    }

    [Theory]
    [InlineData("Payments:EventBridge:ServiceUrl", "not-a-url", "ServiceUrl")]
    [InlineData("Payments:EventBridge:Region", "Mars", "Region")]
    [InlineData("Payments:EventBridge:BusName", "has spaces", "BusName")]
    public void A_bad_setting_stops_start_up_naming_it(string key, string value, string named)
    {
        using var worker = Worker(new() { ["Payments:EventBridge:BusName"] = "payments-bus", [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Services.GetRequiredService<IOptions<OutcomeForwardingOptions>>().Value);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void A_bus_name_the_bus_registration_never_saw_stops_start_up()
    {
        // A composition whose bus registration did not ask for the forwarder must not silently forward nothing.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Payments:EventBridge:BusName"] = "payments-bus" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddPaymentProcessing().AddOutcomeForwardingServices();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutcomeForwardingOptions>>().Value);
        Assert.Contains("not registered", error.Message);
    }
}
