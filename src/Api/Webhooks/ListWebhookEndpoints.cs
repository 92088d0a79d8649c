using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Persistence.Payments;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>GET /webhook-endpoints</c>: the caller's endpoints, newest first, keyset-paginated by (created_at, id) with the same
/// limits and the same cursor form as <c>GET /payments</c>.
/// </summary>
public static class ListWebhookEndpoints
{
    public static async Task<IResult> Handle(HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken,
        string? limit = null, string? cursor = null)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        var errors = new Dictionary<string, string[]>();
        var pageSize = PageQuery.Limit(limit, errors);
        var after = PageQuery.After<PaymentKey>(cursor, ListPayments.Cursor.TryDecode, errors);
        if (errors.Count > 0)
            return ApiProblems.Validation(errors);

        var rows = await endpoints.ListNewestFirst(userId, after is { } key ? (key.CreatedAt, key.Id) : null, pageSize + 1, cancellationToken);

        var page = rows.Take(pageSize).Select(WebhookEndpointResponse.From).ToList();
        var next = rows.Count > pageSize ? ListPayments.Cursor.Encode(new PaymentKey(page[^1].CreatedAt, page[^1].Id)) : null;
        return TypedResults.Ok(new WebhookEndpointPage(page, next));
    }
}
