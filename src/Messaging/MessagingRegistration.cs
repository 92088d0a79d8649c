using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws;
using Payments.Aws.Sqs;
using Payments.Persistence;

namespace Payments.Messaging;

/// <summary>
/// The one bus configuration every process shares; processes differ only in the endpoints they add.
/// </summary>
public static class MessagingRegistration
{
    /// <summary>In-memory only: for the tests' worker-like hosts, which consume every endpoint in-process.</summary>
    public static IServiceCollection AddPaymentsMessaging(this IServiceCollection services, Action<IBusRegistrationConfigurator> addEndpoints) =>
        services.AddMassTransit(bus => ConfigureBus(bus, addEndpoints));

    /// <summary>
    /// The bus with the transport named by <c>Messaging:Transport</c>. <paramref name="topology"/> lists every SQS
    /// endpoint (for provisioning and routing); <paramref name="receive"/> says whether this process consumes them.
    /// </summary>
    public static IServiceCollection AddPaymentsMessaging(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator> addEndpoints, IReadOnlyList<SqsEndpoint> topology, bool receive)
    {
        var transport = configuration.GetValue(TransportKey, MessagingTransport.InMemory);
        if (transport == MessagingTransport.AmazonSqs)
            services.AddAmazonSqsTransport(topology, receive);
        return services.AddMassTransit(bus => ConfigureBus(bus, addEndpoints, transport));
    }

    public const string TransportKey = "Messaging:Transport";

    /// <summary>Also used with <c>AddMassTransitTestHarness</c>, so tests run the production pipeline.</summary>
    public static void ConfigureBus(IBusRegistrationConfigurator bus, Action<IBusRegistrationConfigurator> addEndpoints,
        MessagingTransport transport = MessagingTransport.InMemory)
    {
        PaymentCorrelation.Configure();
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
            // Over SQS the in-memory bus only hosts the pipelines; messages arrive through SqsMessageDispatcher.
            if (transport == MessagingTransport.InMemory)
                cfg.ConfigureEndpoints(context);
        });
    }
}
