using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary><c>GET /payments/{id}</c>: the caller's own payment; anyone else's is "not found".</summary>
public static class GetPayment
{
    public static async Task<IResult> Handle(string id, HttpContext http, PaymentQueries payments, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var paymentId))
            return ApiProblems.Validation("id", "must be a UUID");

        var payment = await payments.Find(userId, paymentId, cancellationToken);
        return payment is null ? ApiProblems.NotFound() : TypedResults.Ok(PaymentResponse.From(payment));
    }
}
