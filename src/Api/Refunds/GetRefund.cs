using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Refunds;

namespace Payments.Api.Refunds;

/// <summary><c>GET /refunds/{id}</c>: the caller's own refund; anyone else's is "not found".</summary>
public static class GetRefund
{
    public static async Task<IResult> Handle(string id, HttpContext http, RefundQueries refunds, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var refundId))
            return ApiProblems.Validation("id", "must be a UUID");

        var refund = await refunds.Find(userId, refundId, cancellationToken);
        return refund is null ? ApiProblems.NotFound("refund") : TypedResults.Ok(RefundResponse.From(refund));
    }
}
