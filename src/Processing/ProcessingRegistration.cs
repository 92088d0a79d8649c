using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Processing.Charging;
using Payments.Processing.Endpoints;
using Payments.Processing.Gateway;
using Payments.Processing.Outcomes;
using Payments.Processing.PaymentSaga;
using Payments.Processing.Recovery;
using Payments.Processing.Refunds;
using Payments.Processing.Webhooks;
using Payments.Sagas;

namespace Payments.Processing;

public static class ProcessingRegistration
{
    /// <summary>Services the saga and the consumers need, whichever process hosts them.</summary>
    public static IServiceCollection AddPaymentProcessing(this IServiceCollection services)
    {
        services.AddOptions<PaymentSagaOptions>().BindConfiguration(PaymentSagaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FakeGatewayOptions>().BindConfiguration(FakeGatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StalledPaymentOptions>().BindConfiguration(StalledPaymentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChargeLedger>();
        // In memory unless storage supplies a durable one.
        services.TryAddSingleton<IChargeLedger>(sp => sp.GetRequiredService<ChargeLedger>());
        services.AddSingleton<IPaymentGateway, FakePaymentGateway>();
        services.AddWebhookDelivery();
        return services;
    }

    /// <summary>
    /// The payment saga, the gateway consumers and, with <paramref name="forwardOutcomes"/>, the outcome forwarder and its
    /// queue. The saga's repository is storage's to give: the caller sets it on the returned registration.
    /// </summary>
    public static ISagaRegistrationConfigurator<PaymentState> AddPaymentProcessing(this IBusRegistrationConfigurator bus, bool forwardOutcomes)
    {
        var saga = bus.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>();
        bus.AddConsumer<ChargePaymentConsumer, ChargePaymentConsumerDefinition>();
        bus.AddConsumer<ReconcileChargeConsumer, ReconcileChargeConsumerDefinition>();
        if (forwardOutcomes)
        {
            bus.AddConsumer<OutcomeForwarder, OutcomeForwarderDefinition>();
            // Joins the endpoints next to ProcessingEndpoints.Always, so its queue is provisioned, subscribed and polled.
            bus.AddSingleton(ProcessingEndpoints.ForwardOutcomes);
            bus.AddSingleton<OutcomeForwarderRegistration>();
        }
        return saga;
    }

    /// <summary>The refund saga and its gateway consumers. Its repository is storage's to give, as for the payment saga.</summary>
    public static ISagaRegistrationConfigurator<RefundState> AddRefundProcessing(this IBusRegistrationConfigurator bus)
    {
        var saga = bus.AddSagaStateMachine<RefundStateMachine, RefundState, RefundStateMachineDefinition>();
        bus.AddConsumer<RefundChargeConsumer, RefundChargeConsumerDefinition>();
        bus.AddConsumer<ReconcileRefundConsumer, ReconcileRefundConsumerDefinition>();
        return saga;
    }

    /// <summary>
    /// Stalled recovery (<see cref="StalledPaymentRecovery"/>): it re-sends to both sagas, so it runs wherever they do, after
    /// <see cref="AddPaymentProcessing(IBusRegistrationConfigurator, bool)"/> and <see cref="AddRefundProcessing"/>.
    /// </summary>
    public static void AddStalledRecovery(this IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<StalledPaymentRecovery>();
        bus.AddHostedService(sp => sp.GetRequiredService<StalledPaymentRecovery>());
    }
}
