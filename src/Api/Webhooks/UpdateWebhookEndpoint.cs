using Microsoft.Extensions.Options;
using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Persistence.Webhooks;
using Payments.Processing.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>PATCH /webhook-endpoints/{id}</c>: changes the fields given (url, event_types, description, enabled), validated as on
/// create. Enabling clears why it was disabled and the failure window; disabling by the owner says so.
/// </summary>
public static class UpdateWebhookEndpoint
{
    public const string DisabledByOwner = "disabled by its owner";

    public static async Task<IResult> Handle(string id, HttpContext http, WebhookEndpoints endpoints, WebhookAddressGuard guard,
        IOptions<PaymentRules> rules, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var endpointId))
            return ApiProblems.Validation("id", "must be a UUID");

        var (request, problem) = await WebhookEndpointBody.Read(http.Request, rules.Value, guard, create: false, cancellationToken);
        if (problem is not null)
            return problem;

        var endpoint = await endpoints.Change(userId, endpointId, e => Apply(request!, e), cancellationToken);
        return endpoint is null
            ? ApiProblems.NotFound(GetWebhookEndpoint.NotFoundWhat)
            : TypedResults.Ok(WebhookEndpointResponse.From(endpoint));
    }

    static void Apply(WebhookEndpointRequest request, WebhookEndpoint endpoint)
    {
        var now = DatabaseTime.Now();
        if (request.Url is not null)
            endpoint.Url = request.Url;
        if (request.EventTypes is not null)
            endpoint.EventTypes = [.. request.EventTypes];
        if (request.HasDescription)
            endpoint.Description = request.Description;
        if (request.Enabled == true)
        {
            endpoint.Enabled = true;
            endpoint.DisabledReason = null;
            endpoint.DisabledAt = null;
            endpoint.FailingSince = null;
        }
        else if (request.Enabled == false && endpoint.Enabled)
        {
            endpoint.Enabled = false;
            endpoint.DisabledReason = DisabledByOwner;
            endpoint.DisabledAt = now;
        }
        endpoint.UpdatedAt = now;
    }
}
