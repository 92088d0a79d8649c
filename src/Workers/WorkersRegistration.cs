using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payments.Persistence;
using Payments.Sagas;
using Payments.Workers.Gateway;

namespace Payments.Workers;

public static class WorkersRegistration
{
    /// <summary>Services the saga and the gateway consumer need, whichever process hosts them.</summary>
    public static IServiceCollection AddPaymentWorkerServices(this IServiceCollection services)
    {
        services.AddOptions<PaymentSagaOptions>().BindConfiguration(PaymentSagaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FakeGatewayOptions>().BindConfiguration(FakeGatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StalledPaymentOptions>().BindConfiguration(StalledPaymentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<StalledPaymentRecovery>();
        services.AddSingleton<ChargeLedger>();
        services.AddSingleton<IPaymentGateway, FakePaymentGateway>();
        return services;
    }

    /// <summary>The payment saga (Postgres repository) and the gateway consumer.</summary>
    public static void AddPaymentWorkers(this IBusRegistrationConfigurator bus)
    {
        bus.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>().PostgresRepository();
        bus.AddConsumer<ChargePaymentConsumer, ChargePaymentConsumerDefinition>();
        bus.AddConsumer<ReconcileChargeConsumer, ReconcileChargeConsumerDefinition>();
    }
}
