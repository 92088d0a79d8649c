using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>POST /webhook-endpoints/{id}/replay</c> <c>{"since": "…"}</c>: every event of the endpoint's types about the caller's
/// payments completed since then goes out again (after an outage on the receiver's side, say); the receiver drops what it
/// had by <c>webhook-id</c>. 202 with the number of deliveries armed.
/// </summary>
public static partial class ReplayEvents
{
    const int MaxBodyBytes = 1024;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    public static async Task<IResult> Handle(string id, HttpContext http, WebhookDeliveries deliveries, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var endpointId))
            return ApiProblems.Validation("id", "must be a UUID");
        if (!JsonBody.HasJsonContentType(http.Request))
            return ApiProblems.UnsupportedMediaType();

        var (document, problem) = await JsonBody.Read(http.Request, MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ApiProblems.Validation("body", "must be a JSON object");
            if (!root.TryGetProperty("since", out var sinceElement))
                return ApiProblems.Validation("since", "is required");
            if (sinceElement.ValueKind != JsonValueKind.String || !Rfc3339().IsMatch(sinceElement.GetString()!)
                || !DateTimeOffset.TryParse(sinceElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var since))
                return ApiProblems.Validation("since", "must be an RFC 3339 date-time with its offset, e.g. 2026-11-30T12:00:00Z");
            if (since > time.GetUtcNow())
                return ApiProblems.Validation("since", "must not be in the future");

            var armed = await deliveries.Replay(userId, endpointId, since.ToUniversalTime(), cancellationToken);
            return armed is null ? ApiProblems.NotFound(GetWebhookEndpoint.NotFoundWhat) : TypedResults.Accepted((string?)null, new WebhookReplayResponse(armed.Value));
        }
    }
}
