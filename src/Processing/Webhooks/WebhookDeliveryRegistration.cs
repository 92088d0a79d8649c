using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Payments.Processing.Webhooks;

public static class WebhookDeliveryRegistration
{
    /// <summary>
    /// The sender (a background service wherever payments are processed), its HTTP client, settings and metrics. Its
    /// connections ask the address guard, which the host registers (<see cref="WebhookRegistration.AddWebhookAddressGuard"/>).
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<WebhookMetrics>();
        services.TryAddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddWebhookHttpClient();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
