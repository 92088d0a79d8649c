using Payments.Api.OpenApi;
using static Payments.Api.Problems.ApiProblems;

namespace Payments.Api.Webhooks;

public static class WebhookDeliveryRoutes
{
    /// <summary>An endpoint's delivery log, a retry of one delivery, and a replay of past events.</summary>
    public static void MapWebhookDeliveries(this IEndpointRouteBuilder app)
    {
        var endpoint = app.MapGroup("/webhook-endpoints/{id}").RequireAuthorization().WithTags(WebhookEndpointRoutes.Tag)
            .ProducesProblems(StatusCodes.Status401Unauthorized, Types.Unauthorized)
            .ProducesProblems(StatusCodes.Status500InternalServerError, Types.Internal);

        endpoint.MapGet("/deliveries", ListDeliveries.Handle)
            .WithName("ListWebhookDeliveries")
            .WithSummary("List an endpoint's deliveries")
            .WithDescription("One delivery per event sent to this endpoint, newest first: `pending` (with `next_attempt_at`), `succeeded` "
                             + "(a 2xx came back) or `failed` (the retry schedule ran out: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, "
                             + "10 h). `event_id` is the `webhook-id` header the receiver saw.")
            .AddOpenApiOperationTransformer(WebhookDeliveryOperations.List)
            .Produces<WebhookDeliveryPage>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        endpoint.MapPost("/deliveries/{delivery_id}/retry", RetryDelivery.Handle)
            .WithName("RetryWebhookDelivery")
            .WithSummary("Send a delivery again")
            .WithDescription("The delivery is due again now, on a fresh schedule, with the same `webhook-id` and body, whatever its status "
                             + "was. `202`: accepted, sent shortly (follow it in the delivery log).")
            .AddOpenApiOperationTransformer(WebhookDeliveryOperations.Retry)
            .Produces<WebhookDeliveryResponse>(StatusCodes.Status202Accepted)
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        endpoint.MapPost("/replay", ReplayEvents.Handle)
            .WithName("ReplayWebhookEvents")
            .WithSummary("Send past events again")
            .WithDescription("Every event of this endpoint's types about your payments completed since `since` is sent again (after your "
                             + "receiver was down, say), each with the `webhook-id` it had before, so your receiver can drop what it already "
                             + "handled. `202` with the number of deliveries armed.")
            .AddOpenApiOperationTransformer(WebhookDeliveryOperations.Replay)
            .Produces<WebhookReplayResponse>(StatusCodes.Status202Accepted)
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation, Types.MalformedJson)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, Types.PayloadTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, Types.UnsupportedMediaType);
    }
}
