using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Aws.SecretsManager;
using Payments.Messaging;
using Payments.Persistence;
using Payments.Workers.DeadLetters;
using Payments.Workers.Lambda;

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
        if (args is ["lambda", ..] || Environment.GetEnvironmentVariable(LambdaWorker.RuntimeApiVariable) is { Length: > 0 })
        {
            Environment.ExitCode = await LambdaWorker.Run(args is ["lambda", .. var lambdaArgs] ? lambdaArgs : args);
            return;
        }
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddPaymentsWorker();
        await builder.Build().RunAsync();
    }

    /// <summary>
    /// The worker's whole composition; tests build their worker hosts with it too. Without <paramref name="receive"/>
    /// (Lambda, where the event source mapping polls SQS) the SQS long-poll receivers are left out.
    /// </summary>
    public static void AddPaymentsWorker(this HostApplicationBuilder builder, bool receive = true)
    {
        // Defaults an operator's configuration may override: per-command SQL and bus chatter are noise in production logs.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        if (builder.Configuration.GetValue(MessagingRegistration.TransportKey, MessagingTransport.InMemory) == MessagingTransport.AmazonSqs)
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddDatabasePasswordFromSecret(builder.Configuration);
        builder.Services.AddPaymentsPersistence(builder.Configuration);
        builder.Services.AddPaymentWorkerServices();
        builder.Services.AddPaymentsMessaging(builder.Configuration, bus => bus.AddPaymentWorkers(builder.Configuration), WorkerEndpoints.All,
            receive: receive);
    }
}
