using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Messaging;
using Payments.Persistence;

namespace Payments.Workers;

/// <summary>The worker process of the distributed mode: the saga and the gateway consumers, fed from SQS.</summary>
public static class WorkerProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddPaymentsWorker();
        await builder.Build().RunAsync();
    }

    /// <summary>The worker's whole composition; tests build their worker hosts with it too.</summary>
    public static void AddPaymentsWorker(this HostApplicationBuilder builder)
    {
        // Defaults an operator's configuration may override: per-command SQL and bus chatter are noise in production logs.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        if (builder.Configuration.GetValue(MessagingRegistration.TransportKey, MessagingTransport.InMemory) == MessagingTransport.AmazonSqs)
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddPaymentsPersistence(builder.Configuration);
        builder.Services.AddPaymentWorkerServices();
        builder.Services.AddPaymentsMessaging(builder.Configuration, bus => bus.AddPaymentWorkers(), WorkerEndpoints.All, receive: true);
    }
}
