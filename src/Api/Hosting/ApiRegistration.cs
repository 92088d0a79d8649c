using System.Text.Json;
using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Aws.SecretsManager;
using Payments.Messaging;
using Payments.Persistence;
using Payments.Workers;

namespace Payments.Api;

/// <summary>What runs in this process: the API alone, or (default, local) the API with the saga and gateway worker.</summary>
public enum ProcessRole { AllInOne, Api }

public static class ApiRegistration
{
    public static void AddPaymentsApi(this WebApplicationBuilder builder)
    {
        var rulesSection = builder.Configuration.GetSection(PaymentRules.Section);
        var rules = rulesSection.Get<PaymentRules>() ?? new PaymentRules();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = rules.MaxBodyBytes * 4L);

        builder.AddPaymentsAuth();
        builder.Services.AddPaymentsProblems();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOptions<PaymentRules>().BindConfiguration(PaymentRules.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOpenApi();
        builder.Services.AddPaymentsHealthChecks();
        builder.Services.AddDatabasePasswordFromSecret(builder.Configuration);
        builder.Services.AddPaymentsPersistence(builder.Configuration);
    }

    /// <summary>The bus: the API publishes through the outbox; in the all-in-one role the workers' endpoints join it.</summary>
    public static void AddPaymentsBus(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration.GetValue("Payments:Role", ProcessRole.AllInOne);
        if (role == ProcessRole.AllInOne)
            builder.Services.AddPaymentWorkerServices();

        builder.Services.AddPaymentsMessaging(builder.Configuration, bus =>
        {
            if (role == ProcessRole.AllInOne)
                bus.AddPaymentWorkers(builder.Configuration);
        }, WorkerEndpoints.All, receive: role == ProcessRole.AllInOne);
        if (builder.Configuration.GetValue(MessagingRegistration.TransportKey, MessagingTransport.InMemory) == MessagingTransport.AmazonSqs)
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
    }

    public static void UsePaymentsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapPaymentEndpoints();
    }
}
