using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary><c>GET /webhook-endpoints/{id}</c>: the caller's own endpoint, without its secret; anyone else's is "not found".</summary>
public static class GetWebhookEndpoint
{
    public const string NotFoundWhat = "webhook endpoint";

    public static async Task<IResult> Handle(string id, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var endpointId))
            return ApiProblems.Validation("id", "must be a UUID");

        var endpoint = await endpoints.Find(userId, endpointId, cancellationToken);
        return endpoint is null ? ApiProblems.NotFound(NotFoundWhat) : TypedResults.Ok(WebhookEndpointResponse.From(endpoint));
    }
}
