using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Persistence;
using Payments.TestSupport;
using Payments.Workers;

namespace Payments.Aws.Tests;

/// <summary>Worker hosts over the SQS/SNS emulator, each test on its own database and its own queue and topic names.</summary>
static class AwsHost
{
    public static Dictionary<string, string?> Settings(string database, string prefix) => new()
    {
        ["ConnectionStrings:Payments"] = database,
        ["Messaging:Transport"] = "AmazonSqs",
        ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
        ["Messaging:AmazonSqs:AutoProvision"] = "true",
        ["Messaging:AmazonSqs:EntityPrefix"] = prefix,
        ["Messaging:AmazonSqs:WaitTimeSeconds"] = "1",
        ["Payments:FakeGateway:Latency"] = "00:00:00",
        ["Payments:Outbox:PollInterval"] = "00:00:00.200",
    };

    public static string NewPrefix() => $"t{Guid.NewGuid():N}"[..9] + "-";

    /// <param name="services">Test additions to the worker's services (e.g. in-memory telemetry exporters), applied last.</param>
    public static async Task<IHost> StartWorker(IDictionary<string, string?> settings, ILoggerProvider? logs = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (logs is not null)
            builder.Logging.AddProvider(logs);
        builder.AddPaymentsWorker();
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Writes a message through the worker's bus outbox in one committed transaction, as the API does.</summary>
    public static async Task PublishThroughOutbox(IHost host, object message)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await publish.Publish(message);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
