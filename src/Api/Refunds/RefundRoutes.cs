using Payments.Api.OpenApi;
using static Payments.Api.Problems.ApiProblems;

namespace Payments.Api.Refunds;

public static class RefundRoutes
{
    public const string Tag = "Refunds";

    public static void MapRefundEndpoints(this IEndpointRouteBuilder app)
    {
        var refunds = app.MapGroup("").RequireAuthorization().WithTags(Tag)
            .ProducesProblems(StatusCodes.Status401Unauthorized, Types.Unauthorized)
            .ProducesProblems(StatusCodes.Status500InternalServerError, Types.Internal);

        // As for payments, the handlers read the body and the Idempotency-Key themselves; RefundOperations describes them.
        refunds.MapPost("/payments/{id}/refunds", CreateRefund.Handle)
            .WithName("CreateRefund")
            .WithSummary("Refund a payment, in part or in full")
            .WithDescription("Gives back `amount` (or, without it, all that remains) of one of your `SUCCESS` payments: the refund is stored "
                             + "as `PENDING` with its amount held against the payment, and answered at once; it becomes `SUCCEEDED` or "
                             + "`FAILED` asynchronously (a failed refund's amount is refundable again). Refunds may repeat until the "
                             + "payment's amount is used up, never beyond, however many are sent at once. Retries with the same "
                             + "`Idempotency-Key` and body get the first answer again and create nothing; a refused request writes nothing.")
            .AddOpenApiOperationTransformer(RefundOperations.Create)
            .Produces<RefundResponse>(StatusCodes.Status201Created)
            .ProducesHeader(StatusCodes.Status201Created, ResponseHeaders.Location)
            .ProducesHeader(StatusCodes.Status201Created, ResponseHeaders.IdempotentReplayed, required: false)
            .ProducesProblems(StatusCodes.Status400BadRequest,
                Types.Validation, Types.MalformedJson, Types.MissingIdempotencyKey, Types.InvalidIdempotencyKey)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, Types.PaymentNotRefundable, Types.RequestInProgress)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, Types.PayloadTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, Types.UnsupportedMediaType)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, Types.RefundExceedsRemaining, Types.Unprocessable, Types.IdempotencyKeyReused);

        refunds.MapGet("/payments/{id}/refunds", ListRefunds.Handle)
            .WithName("ListRefunds")
            .WithSummary("List a payment's refunds")
            .WithDescription("Every refund of one of your payments, oldest first (all of them: a payment has few). Anyone else's payment is "
                             + "`404`, as is an id that does not exist.")
            .AddOpenApiOperationTransformer(RefundOperations.List)
            .Produces<RefundList>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        refunds.MapGet("/refunds/{id}", GetRefund.Handle)
            .WithName("GetRefund")
            .WithSummary("Get a refund")
            .WithDescription("One of your refunds; anyone else's is `404`, as is an id that does not exist.")
            .AddOpenApiOperationTransformer(RefundOperations.Get)
            .Produces<RefundResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);
    }
}
