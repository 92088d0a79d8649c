using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Api.Admission;
using Payments.Api.Analytics;
using Payments.Api.Auth;
using Payments.Api.OpenApi;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Api.Refunds;
using Payments.Api.Webhooks;
using Payments.Aws;
using Payments.Aws.EventBridge;
using Payments.Messaging;
using Payments.Persistence;
using Payments.Processing;
using Payments.Processing.Endpoints;
using Payments.Processing.Webhooks;

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
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // The web default also reads numbers from strings, and the OpenAPI schemas would say so; the API never does.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        builder.Services.AddOptions<PaymentRules>().BindConfiguration(PaymentRules.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddWebhookAddressGuard();
        builder.Services.AddPaymentsOpenApi();
        builder.Services.AddPaymentsHealthChecks();
        builder.Services.AddPaymentsPersistence(builder.Configuration, DatabasePassword.FromSecret(builder.Configuration));
        builder.Services.AddPaymentAdmission();
    }

    /// <summary>
    /// The bus: the API publishes through the outbox; in the all-in-one role the processing endpoints join it. The
    /// transport adapter is this host's choice (<c>Messaging:Transport</c>).
    /// </summary>
    public static void AddPaymentsBus(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var processes = configuration.GetValue("Payments:Role", ProcessRole.AllInOne) == ProcessRole.AllInOne;
        if (processes)
            builder.Services.AddPaymentProcessing().AddOutcomeForwardingServices();

        var overSqs = MessagingRegistration.Transport(configuration) == MessagingTransport.AmazonSqs;
        if (overSqs)
        {
            builder.Services.AddAmazonSqsTransport(ProcessingEndpoints.Always, receive: processes);
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        builder.Services.AddPaymentsMessaging(bus =>
        {
            if (processes)
                bus.AddPaymentWorkers(forwardOutcomes: OutcomeForwardingRegistration.IsConfigured(configuration));
        }, dispatchedByAdapter: overSqs);
    }

    public static void UsePaymentsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPaymentsOpenApi();
        app.MapHealthEndpoints();
        app.MapPaymentEndpoints();
        app.MapRefundEndpoints();
        app.MapWebhookEndpoints();
        app.MapWebhookDeliveries();
        app.MapAnalyticsEndpoints();
    }
}
