using Microsoft.Extensions.Options;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Webhooks;
using Payments.Processing.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>POST /webhook-endpoints/{id}/rotate-secret</c>: a new secret, shown in this answer only. The one it replaces keeps
/// signing beside it for <see cref="WebhookOptions.SecretRotationGrace"/>, so receivers can switch without losing a webhook;
/// a secret older than that one stops at once.
/// </summary>
public static class RotateWebhookSecret
{
    public static async Task<IResult> Handle(string id, HttpContext http, WebhookEndpoints endpoints, IOptions<WebhookOptions> options,
        CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var endpointId))
            return ApiProblems.Validation("id", "must be a UUID");

        var now = DatabaseTime.Now();
        var expiresAt = now + options.Value.SecretRotationGrace;
        var secret = WebhookSecret.New();
        var endpoint = await endpoints.Change(userId, endpointId, e =>
        {
            e.PreviousSecret = e.Secret;
            e.PreviousSecretExpiresAt = expiresAt;
            e.Secret = secret;
            e.UpdatedAt = now;
        }, cancellationToken);
        return endpoint is null
            ? ApiProblems.NotFound(GetWebhookEndpoint.NotFoundWhat)
            : TypedResults.Ok(new RotatedWebhookSecretResponse(secret, expiresAt));
    }
}
