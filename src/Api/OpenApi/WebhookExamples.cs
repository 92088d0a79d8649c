using Payments.Api.Payments;
using Payments.Api.Webhooks;
using Payments.Persistence.Payments;
using Payments.Processing.Webhooks;

namespace Payments.Api.OpenApi;

/// <summary>The document's examples of webhook endpoints, as the API's own types serialize them.</summary>
public static class WebhookExamples
{
    static readonly DateTimeOffset Created = new(2026, 3, 2, 8, 0, 12, TimeSpan.Zero);
    const string Url = "https://shop.example.com/webhooks/payments";
    const string Secret = "whsec_y/FO/SzbBLgZU2+tvXJhxUz1A3OZf8W4cPBIabRzvoM=";

    public static readonly object CreateRequest = new
    {
        url = Url,
        event_types = WebhookEventTypes.All,
        description = "Order fulfilment",
    };

    public static readonly object ChangeRequest = new { event_types = new[] { WebhookEventTypes.PaymentSucceeded }, enabled = true };

    public static readonly CreatedWebhookEndpointResponse CreatedEndpoint = new(Guid.Parse("0197a5e0-2b4c-7d11-a3f0-6e5d4c3b2a19"), Url,
        WebhookEventTypes.All, "Order fulfilment", true, null, Created, Created, Secret);

    public static readonly WebhookEndpointResponse Endpoint = new(CreatedEndpoint.Id, Url, WebhookEventTypes.All, "Order fulfilment",
        true, null, Created, Created);

    static readonly WebhookEndpointResponse Disabled = new(Guid.Parse("0197a5d9-7f01-7a62-9c15-0a1b2c3d4e5f"),
        "https://old.example.com/hooks", [WebhookEventTypes.PaymentFailed], null, false, "410 Gone from the endpoint",
        Created.AddDays(-9), Created.AddDays(-2));

    public static readonly WebhookEndpointPage Page = new([Endpoint, Disabled],
        ListPayments.Cursor.Encode(new PaymentKey(Disabled.CreatedAt, Disabled.Id)));

    public static readonly RotatedWebhookSecretResponse Rotated = new("whsec_eltixAUGsB7MC3dqPLx2grO3JPkzNNcg6I+bgj4nqDU=",
        Created.AddDays(1).AddHours(3));
}
