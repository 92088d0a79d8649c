namespace Payments.Api.Webhooks;

public static class WebhookDeliveryRoutes
{
    /// <summary>An endpoint's delivery log, a retry of one delivery, and a replay of past events.</summary>
    public static void MapWebhookDeliveries(this IEndpointRouteBuilder app)
    {
        var endpoint = app.MapGroup("/webhook-endpoints/{id}").RequireAuthorization();
        endpoint.MapGet("/deliveries", ListDeliveries.Handle).WithName("ListWebhookDeliveries");
        endpoint.MapPost("/deliveries/{delivery_id}/retry", RetryDelivery.Handle).WithName("RetryWebhookDelivery");
        endpoint.MapPost("/replay", ReplayEvents.Handle).WithName("ReplayWebhookEvents");
    }
}
