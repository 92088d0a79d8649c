using Payments.Api.OpenApi;
using static Payments.Api.Problems.ApiProblems;

namespace Payments.Api.Webhooks;

public static class WebhookEndpointRoutes
{
    public const string Tag = "Webhook endpoints";

    public static void MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("/webhook-endpoints").RequireAuthorization().WithTags(Tag)
            .ProducesProblems(StatusCodes.Status401Unauthorized, Types.Unauthorized)
            .ProducesProblems(StatusCodes.Status500InternalServerError, Types.Internal);

        // As for payments, the handlers read the body, the Idempotency-Key and the query themselves; WebhookOperations describes them.
        endpoints.MapPost("/", CreateWebhookEndpoint.Handle)
            .WithName("CreateWebhookEndpoint")
            .WithSummary("Register a webhook endpoint")
            .WithDescription("Stores the endpoint, enabled, and answers with its signing secret: the only time the secret is shown (a retry "
                             + "with the same `Idempotency-Key` and body gets this same answer again and creates nothing). The URL is "
                             + "checked now and again before every delivery: it must be `https` and reach public addresses only.")
            .AddOpenApiOperationTransformer(WebhookOperations.Create)
            .Produces<CreatedWebhookEndpointResponse>(StatusCodes.Status201Created)
            .ProducesHeader(StatusCodes.Status201Created, ResponseHeaders.Location)
            .ProducesHeader(StatusCodes.Status201Created, ResponseHeaders.IdempotentReplayed, required: false)
            .ProducesProblems(StatusCodes.Status400BadRequest,
                Types.Validation, Types.MalformedJson, Types.MissingIdempotencyKey, Types.InvalidIdempotencyKey)
            .ProducesProblems(StatusCodes.Status409Conflict, Types.RequestInProgress)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, Types.PayloadTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, Types.UnsupportedMediaType)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, Types.Unprocessable, Types.IdempotencyKeyReused);

        endpoints.MapGet("/", ListWebhookEndpoints.Handle)
            .WithName("ListWebhookEndpoints")
            .WithSummary("List your webhook endpoints")
            .WithDescription("Newest first, a page at a time: pass `next_cursor` back as `cursor` until it is null. Secrets are never listed.")
            .AddOpenApiOperationTransformer(WebhookOperations.List)
            .Produces<WebhookEndpointPage>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation);

        endpoints.MapGet("/{id}", GetWebhookEndpoint.Handle)
            .WithName("GetWebhookEndpoint")
            .WithSummary("Get a webhook endpoint")
            .WithDescription("One of your endpoints, without its secret; anyone else's is `404`, as is an id that does not exist.")
            .AddOpenApiOperationTransformer(WebhookOperations.Get)
            .Produces<WebhookEndpointResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        endpoints.MapPatch("/{id}", UpdateWebhookEndpoint.Handle)
            .WithName("UpdateWebhookEndpoint")
            .WithSummary("Change a webhook endpoint")
            .WithDescription("Changes the fields sent, checked as on registration. `enabled: true` turns a disabled endpoint back on and "
                             + "clears `disabled_reason`.")
            .AddOpenApiOperationTransformer(WebhookOperations.Update)
            .Produces<WebhookEndpointResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation, Types.MalformedJson)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, Types.PayloadTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, Types.UnsupportedMediaType)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, Types.Unprocessable);

        endpoints.MapDelete("/{id}", DeleteWebhookEndpoint.Handle)
            .WithName("DeleteWebhookEndpoint")
            .WithSummary("Delete a webhook endpoint")
            .WithDescription("The endpoint and its delivery log are gone; nothing more is sent to it.")
            .AddOpenApiOperationTransformer(WebhookOperations.Delete)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        endpoints.MapPost("/{id}/rotate-secret", RotateWebhookSecret.Handle)
            .WithName("RotateWebhookSecret")
            .WithSummary("Rotate a webhook endpoint's secret")
            .WithDescription("A new signing secret, shown in this answer only. The secret it replaces keeps signing beside it until "
                             + "`previous_secret_expires_at` (24 hours by default), so webhooks carry both signatures while you switch; "
                             + "rotating again within that time ends the older secret at once.")
            .AddOpenApiOperationTransformer(WebhookOperations.Rotate)
            .Produces<RotatedWebhookSecretResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);
    }
}
