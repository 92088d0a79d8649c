using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Payments.Processing.Webhooks;

public static class WebhookRegistration
{
    /// <summary>The <c>Webhooks</c> settings, checked at start-up, and the address guard that reads them.</summary>
    public static IServiceCollection AddWebhookAddressGuard(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new WebhookAddressGuard(sp.GetRequiredService<IOptions<WebhookOptions>>().Value));
        return services;
    }
}
