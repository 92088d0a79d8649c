using Microsoft.AspNetCore.Mvc;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>POST /webhook-endpoints/{id}/deliveries/{delivery_id}/retry</c>: the delivery goes out again as soon as the sender
/// gets to it, on a fresh schedule, with the same <c>webhook-id</c> and body. 202: accepted, not yet sent.
/// </summary>
public static class RetryDelivery
{
    public static async Task<IResult> Handle(string id, [FromRoute(Name = "delivery_id")] string deliveryId, HttpContext http, WebhookDeliveries deliveries,
        CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        var errors = new Dictionary<string, string[]>();
        if (!Guid.TryParse(id, out var endpointId))
            errors["id"] = ["must be a UUID"];
        if (!Guid.TryParse(deliveryId, out var delivery))
            errors["delivery_id"] = ["must be a UUID"];
        if (errors.Count > 0)
            return ApiProblems.Validation(errors);

        var armed = await deliveries.Retry(userId, endpointId, delivery, cancellationToken);
        return armed is null ? ApiProblems.NotFound("webhook delivery") : TypedResults.Accepted((string?)null, WebhookDeliveryResponse.From(armed));
    }
}
