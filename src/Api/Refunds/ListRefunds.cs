using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Refunds;

namespace Payments.Api.Refunds;

/// <summary><c>GET /payments/{id}/refunds</c>: the refunds of the caller's own payment, oldest first; anyone else's payment is "not found".</summary>
public static class ListRefunds
{
    public static async Task<IResult> Handle(string id, HttpContext http, RefundQueries refunds, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var paymentId))
            return ApiProblems.Validation("id", "must be a UUID");

        var rows = await refunds.ListForPayment(userId, paymentId, cancellationToken);
        return rows is null ? ApiProblems.NotFound() : TypedResults.Ok(new RefundList(rows.Select(RefundResponse.From).ToList()));
    }
}
