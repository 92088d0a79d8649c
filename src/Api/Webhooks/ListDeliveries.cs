using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Persistence.Payments;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>GET /webhook-endpoints/{id}/deliveries</c>: the delivery log of the caller's own endpoint, newest first, paginated
/// like <c>GET /payments</c>; anyone else's endpoint is "not found".
/// </summary>
public static class ListDeliveries
{
    public static async Task<IResult> Handle(string id, HttpContext http, WebhookDeliveries deliveries, CancellationToken cancellationToken,
        string? limit = null, string? cursor = null)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        var errors = new Dictionary<string, string[]>();
        if (!Guid.TryParse(id, out var endpointId))
            errors["id"] = ["must be a UUID"];
        var pageSize = PageQuery.Limit(limit, errors);
        var after = PageQuery.After<PaymentKey>(cursor, ListPayments.Cursor.TryDecode, errors);
        if (errors.Count > 0)
            return ApiProblems.Validation(errors);

        var rows = await deliveries.ListNewestFirst(userId, endpointId, after is { } key ? (key.CreatedAt, key.Id) : null, pageSize + 1,
            cancellationToken);
        if (rows is null)
            return ApiProblems.NotFound(GetWebhookEndpoint.NotFoundWhat);

        var page = rows.Take(pageSize).Select(WebhookDeliveryResponse.From).ToList();
        var next = rows.Count > pageSize ? ListPayments.Cursor.Encode(new PaymentKey(page[^1].CreatedAt, page[^1].Id)) : null;
        return TypedResults.Ok(new WebhookDeliveryPage(page, next));
    }
}
