using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Persistence;
using Payments.Processing;
using Payments.Sagas;

namespace Payments.Messaging;

/// <summary>
/// The one bus configuration every process shares; processes differ only in the endpoints they add and in the
/// transport adapter their host picks. It knows no transport.
/// </summary>
public static class MessagingRegistration
{
    public const string TransportKey = "Messaging:Transport";

    /// <summary>The transport the configuration names (<c>Messaging:Transport</c>), for the host to pick its adapter.</summary>
    public static MessagingTransport Transport(IConfiguration configuration) => configuration.GetValue(TransportKey, MessagingTransport.InMemory);

    /// <summary>
    /// The bus. With <paramref name="dispatchedByAdapter"/> a transport adapter hands messages to the endpoints'
    /// pipelines itself; otherwise the bus's own (in-memory) transport delivers them.
    /// </summary>
    public static IServiceCollection AddPaymentsMessaging(this IServiceCollection services, Action<IBusRegistrationConfigurator> addEndpoints,
        bool dispatchedByAdapter = false) =>
        services.AddMassTransit(bus => ConfigureBus(bus, addEndpoints, dispatchedByAdapter));

    /// <summary>
    /// The payment and refund sagas on their Postgres repositories, the gateway consumers and stalled recovery; with
    /// <paramref name="forwardOutcomes"/> the outcome forwarder too.
    /// </summary>
    public static void AddPaymentWorkers(this IBusRegistrationConfigurator bus, bool forwardOutcomes = false)
    {
        bus.AddPaymentProcessing(forwardOutcomes).PostgresRepository();
        bus.AddRefundProcessing().PostgresRepository();
        bus.AddStalledRecovery();
    }

    /// <summary>Also used with <c>AddMassTransitTestHarness</c>, so tests run the production pipeline.</summary>
    public static void ConfigureBus(IBusRegistrationConfigurator bus, Action<IBusRegistrationConfigurator> addEndpoints,
        bool dispatchedByAdapter = false)
    {
        PaymentCorrelation.Configure();
        // MassTransit 8.5 otherwise posts usage data to its vendor a few minutes after start: no traffic leaves the
        // deployment but what the system itself sends.
        bus.DisableUsageTelemetry();
        bus.AddPostgresOutbox();
        bus.AddDelayedMessageScheduler();
        addEndpoints(bus);

        bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
        {
            // Outside the inbox transaction, so each retry starts a fresh transaction: row-lock conflicts
            // (40001, 40P01), a racing insert (23505) and a database blip all resolve by trying again.
            // Anything else is a bug or a poison message: it faults at once instead of being retried.
            endpoint.UseMessageRetry(r =>
            {
                r.Handle<Exception>(DbConflicts.IsRetryable);
                r.Exponential(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
            });
            endpoint.UsePostgresInbox(context);
        });

        bus.UsingInMemory((context, cfg) =>
        {
            cfg.UseDelayedMessageScheduler();
            cfg.UseConsumeFilter(typeof(MessageLogScopeFilter<>), context);
            // Under an adapter the in-memory bus only hosts the pipelines; the adapter dispatches into them, and whatever
            // reaches the in-memory transport escaped the outbox.
            if (dispatchedByAdapter)
            {
                var escaped = ActivatorUtilities.CreateInstance<EscapedMessageObserver>(context);
                cfg.ConnectSendObserver(escaped);
                cfg.ConnectPublishObserver(escaped);
            }
            else
                cfg.ConfigureEndpoints(context);
        });
    }
}
