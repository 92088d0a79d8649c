using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Aws;
using Payments.Aws.EventBridge;
using Payments.Aws.SecretsManager;
using Payments.Messaging;
using Payments.Persistence;
using Payments.Processing;
using Payments.Processing.Endpoints;
using Payments.Processing.Webhooks;
using Payments.Telemetry;

namespace Payments.Workers;

public static class WorkerRegistration
{
    /// <summary>
    /// The worker's whole composition; tests build their worker hosts with it too. Without <paramref name="receive"/>
    /// (Lambda, where the event source mapping polls SQS) the SQS long-poll receivers are left out.
    /// </summary>
    public static void AddPaymentsWorker(this HostApplicationBuilder builder, bool receive = true)
    {
        var configuration = builder.Configuration;
        // Defaults an operator's configuration may override: per-command SQL and bus chatter are noise in production logs.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning); // every AWS call's attempt at Information; retries, timeouts and the breaker at Warning
        builder.AddPaymentsTelemetry();

        builder.Services.AddPaymentsPersistence(configuration, DatabasePassword(configuration));
        builder.Services.AddPaymentProcessing().AddOutcomeForwardingServices();
        builder.Services.AddWebhookAddressGuard(); // every webhook connection asks it

        var overSqs = MessagingRegistration.Transport(configuration) == MessagingTransport.AmazonSqs;
        if (overSqs)
        {
            builder.Services.AddAmazonSqsTransport(ProcessingEndpoints.Always, receive);
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        builder.Services.AddPaymentsMessaging(bus => bus.AddPaymentWorkers(forwardOutcomes: OutcomeForwardingRegistration.IsConfigured(configuration)),
            dispatchedByAdapter: overSqs);
    }

    /// <summary>Where the database password comes from when a secret holds it (on AWS), else null: the connection string has it.</summary>
    public static DatabasePasswordSource? DatabasePassword(IConfiguration configuration) =>
        DatabaseSecretRegistration.FromConfiguration(configuration) is { } secret
            ? new DatabasePasswordSource(secret.GetPassword, secret.RefreshEvery)
            : null;
}
