using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace PaymentEventsConsumer;

/// <summary>The consumers and what they need; shared by <c>Program</c> and the harness tests so both run the same wiring.</summary>
public static class PaymentEventsRegistration
{
    public static IServiceCollection AddPaymentEventHandling(this IServiceCollection services) =>
        services.AddSingleton<IProcessedEvents, InMemoryProcessedEvents>().AddSingleton<PaymentTally>();

    public static void AddPaymentEventConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PaymentSucceededConsumer>();
        bus.AddConsumer<PaymentFailedConsumer>();
    }
}
