using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Payments.Outbox;
using Payments.Persistence.Analytics;
using Payments.Persistence.FakeGateway;
using Payments.Persistence.Inbox;
using Payments.Persistence.Outbox;
using Payments.Persistence.Payments;
using Payments.Persistence.Recovery;
using Payments.Persistence.Refunds;
using Payments.Persistence.Sagas;
using Payments.Persistence.Webhooks;
using Payments.Processing.Gateway;
using Payments.Processing.Recovery;
using Payments.Processing.Telemetry;
using Payments.Processing.Webhooks;
using Payments.Sagas;

namespace Payments.Persistence;

public static class PersistenceRegistration
{
    /// <summary>The DbContext, the operations on it, the outbox delivery service and the retention cleanup.</summary>
    /// <param name="password">Where the password comes from when the connection string does not carry it (a rotating secret).</param>
    public static IServiceCollection AddPaymentsPersistence(this IServiceCollection services, IConfiguration configuration,
        DatabasePasswordSource? password = null)
    {
        var connectionString = ConnectionString(configuration);

        services.AddSingleton(_ => DataSource(connectionString, password));
        services.AddSingleton<OutboxCommitHook>();
        services.AddDbContextPool<PaymentsDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .AddInterceptors(sp.GetRequiredService<OutboxCommitHook>()), poolSize: 256);
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxAppender>();
        services.AddMetrics();
        services.AddSingleton<OutboxMetrics>();
        services.AddSingleton<PaymentMetrics>();
        services.AddScoped<AfterCommit>();
        services.AddScoped<ParkedOutboxRows>();
        services.TryAddSingleton<IOutboxTransport, BusOutboxTransport>();
        services.AddSingleton<OutboxReceivers>();
        services.AddSingleton<InFlightOutboxRows>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<OutboxDeliveryService>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDeliveryService>());
        services.AddHostedService<RetentionCleanupService>();
        services.AddScoped<PaymentCreation>();
        services.AddScoped<PaymentQueries>();
        services.AddScoped<RefundCreation>();
        services.AddScoped<RefundQueries>();
        services.AddScoped<PaymentsInProgress>();
        services.AddScoped<WebhookEndpoints>();
        services.AddScoped<IPaymentCompletion, PostgresPaymentCompletion>();
        services.AddScoped<IRefundCompletion, PostgresRefundCompletion>();
        services.AddSingleton<ISagaTable<PaymentState>, PaymentSagaTable>();
        services.AddSingleton<ISagaTable<RefundState>, RefundSagaTable>();
        services.AddScoped<IPaymentRecoveryStore, PostgresPaymentRecoveryStore>();
        services.AddScoped<PostgresWebhookPlanner>();
        services.AddScoped<IWebhookDeliveryStore, PostgresWebhookDeliveryStore>();
        services.AddScoped<WebhookDeliveries>();
        services.AddScoped<PostgresPaymentOutcomeRecorder>();
        services.AddScoped<AnalyticsQueries>();
        services.AddScoped<AnalyticsRebuild>();
        // Also where no sender runs (the API role): re-arming a delivery raises it either way.
        services.TryAddSingleton<WebhookSignal>();
        services.TryAddSingleton(TimeProvider.System);
        // The fake gateway's ledger in a database of its own when one is named: it outlives killed workers (chaos run).
        services.AddSingleton<IChargeLedger>(sp =>
            configuration[$"{FakeGatewayOptions.Section}:{nameof(FakeGatewayOptions.LedgerConnectionString)}"] is { Length: > 0 } ledger
                ? new PostgresChargeLedger(ledger)
                : sp.GetRequiredService<ChargeLedger>());
        return services;
    }

    /// <summary>Ready means the database answers: EF Core's own check, bounded so a hung connection cannot hang the probe.</summary>
    public static IHealthChecksBuilder AddPaymentsDatabaseCheck(this IHealthChecksBuilder checks, params string[] tags)
    {
        const string name = "postgres";
        checks.AddDbContextCheck<PaymentsDbContext>(name, tags: tags);
        checks.Services.Configure<HealthCheckServiceOptions>(o => o.Registrations.Single(r => r.Name == name).Timeout = TimeSpan.FromSeconds(2));
        return checks;
    }

    /// <summary>Publishing outside a consumer goes to the Postgres outbox; consumers get the Postgres inbox.</summary>
    public static void AddPostgresOutbox(this IBusRegistrationConfigurator bus)
    {
        bus.ReplaceScoped<IScopedBusContextProvider<IBus>, OutboxScopedBusContextProvider>();
        bus.AddScoped<IOutboxContextFactory<PaymentsDbContext>, InboxContextFactory>();
        // Frees an in-flight slot once every endpoint finished a message the outbox handed over.
        bus.AddReceiveObserver(sp => sp.GetRequiredService<InFlightOutboxRows>());
    }

    /// <summary>Wraps every consumer and saga on the endpoint in the inbox transaction.</summary>
    public static void UsePostgresInbox(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        var observer = new OutboxConsumePipeSpecificationObserver<PaymentsDbContext>(endpoint, context);
        endpoint.ConnectConsumerConfigurationObserver(observer);
        endpoint.ConnectSagaConfigurationObserver(observer);
        // Who takes which message through the inbox: how many consumers a row waits for (in-memory transport).
        var receivers = context.GetRequiredService<OutboxReceivers>();
        endpoint.ConnectConsumerConfigurationObserver(receivers);
        endpoint.ConnectSagaConfigurationObserver(receivers);
    }

    /// <summary>The saga on its Postgres table (<see cref="ISagaTable{TSaga}"/>, registered with the persistence services).</summary>
    public static ISagaRegistrationConfigurator<TSaga> PostgresRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> saga)
        where TSaga : class, ISaga =>
        saga.Repository(r =>
        {
            r.RegisterLoadSagaRepository<TSaga, PostgresSagaRepository<TSaga>>();
            r.RegisterQuerySagaRepository<TSaga, PostgresSagaRepository<TSaga>>();
            r.RegisterSagaRepository<TSaga, PaymentsDbContext, SagaConsumeContextFactory<PaymentsDbContext, TSaga>,
                PostgresSagaRepository<TSaga>>();
        });

    public static NpgsqlDataSource DataSource(string connectionString, DatabasePasswordSource? password)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.EnableDynamicJson();
        if (password is not null)
            builder.UsePeriodicPasswordProvider((_, cancellationToken) => password.GetPassword(cancellationToken), password.RefreshEvery,
                TimeSpan.FromSeconds(5));
        return builder.Build();
    }

    // Defaults for what the operator did not set. The pool: these machines commit a few thousand small transactions a
    // second at 4-16 connections; more connections only add contention. No reset on close: nothing here sets session
    // state (advisory locks are transaction-scoped), so the DISCARD ALL on every checkout is pure cost. Auto-prepare:
    // the same few dozen statements run all day, so Postgres parses and plans each once per connection.
    static string ConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Payments");
        if (string.IsNullOrWhiteSpace(configured))
            throw new InvalidOperationException("ConnectionStrings:Payments is not set: the Postgres connection string is required.");

        var builder = new NpgsqlConnectionStringBuilder(configured);
        bool Unset(params string[] names) => !names.Any(n => configured.Contains(n, StringComparison.OrdinalIgnoreCase));
        if (Unset("Maximum Pool Size", "MaxPoolSize"))
            builder.MaxPoolSize = 32;
        if (Unset("No Reset On Close", "NoResetOnClose"))
            builder.NoResetOnClose = true;
        if (Unset("Max Auto Prepare", "MaxAutoPrepare"))
            builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }
}
