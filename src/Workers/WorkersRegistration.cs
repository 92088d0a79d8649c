using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Payments.Persistence;
using Payments.Sagas;
using Payments.Workers.Gateway;
using Payments.Workers.Outcomes;

namespace Payments.Workers;

public static class WorkersRegistration
{
    /// <summary>Services the saga and the gateway consumer need, whichever process hosts them.</summary>
    public static IServiceCollection AddPaymentWorkerServices(this IServiceCollection services)
    {
        services.AddOptions<PaymentSagaOptions>().BindConfiguration(PaymentSagaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FakeGatewayOptions>().BindConfiguration(FakeGatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StalledPaymentOptions>().BindConfiguration(StalledPaymentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StalledPaymentRecovery>();
        services.AddHostedService(sp => sp.GetRequiredService<StalledPaymentRecovery>());
        services.AddSingleton<ChargeLedger>();
        services.AddSingleton<IChargeLedger>(sp =>
            sp.GetRequiredService<IOptions<FakeGatewayOptions>>().Value.LedgerConnectionString is { Length: > 0 } ledgerDatabase
                ? new PostgresChargeLedger(ledgerDatabase)
                : sp.GetRequiredService<ChargeLedger>());
        services.AddSingleton<IPaymentGateway, FakePaymentGateway>();
        services.AddOutcomeForwardingServices();
        return services;
    }

    /// <summary>
    /// The payment saga (Postgres repository), the gateway consumers and, when <c>Payments:EventBridge:BusName</c> is
    /// set in <paramref name="configuration"/>, the outcome forwarder.
    /// </summary>
    public static void AddPaymentWorkers(this IBusRegistrationConfigurator bus, IConfiguration? configuration = null)
    {
        bus.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>().PostgresRepository();
        bus.AddConsumer<ChargePaymentConsumer, ChargePaymentConsumerDefinition>();
        bus.AddConsumer<ReconcileChargeConsumer, ReconcileChargeConsumerDefinition>();
        bus.AddOutcomeForwarder(configuration);
    }
}
