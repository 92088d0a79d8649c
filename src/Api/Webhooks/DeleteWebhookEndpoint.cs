using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary><c>DELETE /webhook-endpoints/{id}</c>: the endpoint and its deliveries are gone; anyone else's is "not found".</summary>
public static class DeleteWebhookEndpoint
{
    public static async Task<IResult> Handle(string id, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var endpointId))
            return ApiProblems.Validation("id", "must be a UUID");

        return await endpoints.Delete(userId, endpointId, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound(GetWebhookEndpoint.NotFoundWhat);
    }
}
