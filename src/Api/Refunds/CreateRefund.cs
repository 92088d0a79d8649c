using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Persistence.Idempotency;
using Payments.Persistence.Refunds;

namespace Payments.Api.Refunds;

/// <summary>
/// <c>POST /payments/{id}/refunds</c>: validates, then in one transaction claims the idempotency key, reserves the amount on
/// the payment, stores the refund as PENDING, writes <c>RefundRequested</c> to the outbox and stores the response for
/// replays (<see cref="RefundCreation"/>). A refusal writes nothing.
/// </summary>
public static class CreateRefund
{
    public static async Task<IResult> Handle(string id, HttpContext http, RefundCreation creation, IOptions<PaymentRules> rules,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();
        if (!Guid.TryParse(id, out var paymentId))
            return ApiProblems.Validation("id", "must be a UUID");

        switch (IdempotencyKeyHeader.Read(http.Request.Headers, out var key))
        {
            case IdempotencyKeyHeader.Outcome.Missing: return ApiProblems.MissingIdempotencyKey();
            case IdempotencyKeyHeader.Outcome.Malformed: return ApiProblems.InvalidIdempotencyKey();
        }

        if (!JsonBody.HasJsonContentType(http.Request))
            return ApiProblems.UnsupportedMediaType();
        var (document, problem) = await JsonBody.Read(http.Request, rules.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return problem;
        CreateRefundRequest? request;
        Dictionary<string, string[]> errors;
        using (document)
            request = CreateRefundRequest.Parse(document!.RootElement, out errors);
        if (request is null)
            return ApiProblems.Validation(errors);
        if (request.Refusals() is { Count: > 0 } refusals)
            return ApiProblems.Unprocessable(refusals);

        var (result, refusal) = await creation.CreateOnce(new RefundAsk(userId, paymentId, request.Amount, request.Currency, request.Reason),
            NewId.NextSequentialGuid(), DatabaseTime.Now(), key, request.Fingerprint(paymentId),
            refund => new CreatedResponse(StatusCodes.Status201Created,
                JsonSerializer.Serialize(RefundResponse.From(refund), json.Value.SerializerOptions), $"/refunds/{refund.Id}"),
            cancellationToken);
        return result.Outcome == CreationOutcome.Refused ? Problem(refusal!) : result.ToHttpResult();
    }

    static ProblemHttpResult Problem(RefundRefusal refusal) => refusal switch
    {
        RefundRefusal.NoSuchPayment => ApiProblems.NotFound(),
        RefundRefusal.NotRefundable r => ApiProblems.PaymentNotRefundable(r.PaymentStatus),
        RefundRefusal.OtherCurrency r => ApiProblems.Unprocessable(new Dictionary<string, string[]>
        {
            ["currency"] = [$"must be the payment's currency, {r.PaymentCurrency} (or be left out)"],
        }),
        RefundRefusal.ExceedsRemaining r => ApiProblems.RefundExceedsRemaining(r.Remaining, r.Currency),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "no problem for this refusal"),
    };
}
