using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Messaging;
using Payments.Persistence;
using Payments.Workers.DeadLetters;

namespace Payments.Workers;

/// <summary>The worker process of the distributed mode: the saga and the gateway consumers, fed from SQS.</summary>
public static class WorkerProgram
{
    public static async Task Main(string[] args)
    {
        if (args is ["dlq", .. var rest])
        {
            Environment.ExitCode = await DeadLetterCommand.Run(rest);
            return;
        }
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
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        if (builder.Configuration.GetValue(MessagingRegistration.TransportKey, MessagingTransport.InMemory) == MessagingTransport.AmazonSqs)
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddPaymentsPersistence(builder.Configuration);
        builder.Services.AddPaymentWorkerServices();
        builder.Services.AddPaymentsMessaging(builder.Configuration, bus => bus.AddPaymentWorkers(builder.Configuration), WorkerEndpoints.All,
            receive: true);
    }
}
