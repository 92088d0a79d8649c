using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Messaging;
using Payments.Persistence.Outbox;
using Payments.Processing;

namespace Payments.Persistence.Tests;

/// <summary>A worker-like process on a test database: the production bus, inbox, outbox and delivery service.</summary>
static class MessagingHost
{
    public static async Task<IHost> Start(string connectionString, Action<IBusRegistrationConfigurator> endpoints,
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Payments"] = connectionString,
            ["Payments:Outbox:PollInterval"] = "00:00:00.100",
            ["Payments:Outbox:MaxBackoff"] = "00:00:00.200",
            // The sweep takes rows at once: tests that stop the dispatcher leave their rows to it.
            ["Payments:Outbox:SweepGrace"] = "00:00:00",
            ["Payments:FakeGateway:Latency"] = "00:00:00",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // Before the defaults, which are added only where nothing is registered yet (e.g. a test's IOutboxTransport).
        services?.Invoke(builder.Services);
        builder.Services.AddPaymentsPersistence(builder.Configuration);
        builder.Services.AddPaymentProcessing();
        builder.Services.AddPaymentsMessaging(endpoints);

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// Settings for a host whose own delivery is held: its dispatcher sends nothing (as if the writer died right after its
    /// commit) and its sweep stays idle, until the test runs a sweep of its own (<see cref="Sweep"/>). Stopping the host's
    /// delivery services instead races their start: a BackgroundService stopped before its ExecuteAsync began ends
    /// cancelled, and the host takes that for a crash and stops itself, bus included.
    /// </summary>
    public static Dictionary<string, string?> DeliveryHeld(IDictionary<string, string?>? settings = null) =>
        new(settings ?? new Dictionary<string, string?>()) { ["Payments:Outbox:DeliveryEnabled"] = "false" };

    /// <summary>A sweep on the host's services with the host's outbox settings, delivering even when the host's is held:
    /// what a restarted process runs. The test starts and stops it.</summary>
    public static OutboxDeliveryService Sweep(IHost host)
    {
        var settings = host.Services.GetRequiredService<IConfiguration>().GetSection("Payments:Outbox").Get<OutboxOptions>() ?? new OutboxOptions();
        settings.DeliveryEnabled = true;
        return ActivatorUtilities.CreateInstance<OutboxDeliveryService>(host.Services, Options.Create(settings));
    }

    /// <summary>Writes messages through the bus outbox, as the API does: rows in one committed transaction.</summary>
    public static async Task PublishThroughOutbox(IHost host, IEnumerable<object> messages)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var message in messages)
            await publish.Publish(message);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
