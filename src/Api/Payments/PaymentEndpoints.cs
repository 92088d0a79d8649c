using Payments.Api.OpenApi;
using static Payments.Api.Problems.ApiProblems;

namespace Payments.Api.Payments;

public static class PaymentEndpoints
{
    public static void MapPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/payments").RequireAuthorization().WithTags("Payments")
            .ProducesProblems(StatusCodes.Status401Unauthorized, Types.Unauthorized)
            .ProducesProblems(StatusCodes.Status500InternalServerError, Types.Internal);

        // The handlers read the body, the Idempotency-Key and the query themselves (to answer with their own problems), so
        // what they take is described by PaymentOperations rather than seen in their signatures.
        payments.MapPost("/", CreatePayment.Handle)
            .WithName("CreatePayment")
            .WithSummary("Create a payment")
            .WithDescription("Stores the payment as `PENDING` and answers at once; it is processed asynchronously. Retries with the same "
                             + "`Idempotency-Key` and body get the first answer again and create nothing. While too many payments wait to be "
                             + "processed, a new one is refused with `503` and `Retry-After` (nothing is created): send the same request with "
                             + "the same key again after that time. A replay is answered even then.")
            .AddOpenApiOperationTransformer(PaymentOperations.Create)
            .Produces<PaymentResponse>(StatusCodes.Status201Created)
            .ProducesHeader(StatusCodes.Status201Created, ResponseHeaders.Location)
            .ProducesHeader(StatusCodes.Status201Created, ResponseHeaders.IdempotentReplayed, required: false)
            .ProducesProblems(StatusCodes.Status400BadRequest,
                Types.Validation, Types.MalformedJson, Types.MissingIdempotencyKey, Types.InvalidIdempotencyKey)
            .ProducesProblems(StatusCodes.Status403Forbidden, Types.Forbidden)
            .ProducesProblems(StatusCodes.Status409Conflict, Types.RequestInProgress)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, Types.PayloadTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, Types.UnsupportedMediaType)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, Types.IdempotencyKeyReused)
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, Types.Overloaded);

        payments.MapGet("/{id}", GetPayment.Handle)
            .WithName("GetPayment")
            .WithSummary("Get a payment")
            .WithDescription("One of your payments; anyone else's is `404`, as is an id that does not exist.")
            .AddOpenApiOperationTransformer(PaymentOperations.Get)
            .Produces<PaymentResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        payments.MapGet("/{id}/events", ListPaymentEvents.Handle)
            .WithName("ListPaymentEvents")
            .WithSummary("Get a payment's history")
            .WithDescription("Every step of one of your payments with its time, oldest first, a page at a time: pass `next_cursor` back "
                             + "as `cursor` until it is null. Anyone else's payment is `404`, as is an id that does not exist.")
            .AddOpenApiOperationTransformer(PaymentOperations.Events)
            .Produces<PaymentEventPage>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, Types.NotFound);

        payments.MapGet("/", ListPayments.Handle)
            .WithName("ListPayments")
            .WithSummary("List your payments")
            .WithDescription("Newest first, a page at a time: pass `next_cursor` back as `cursor` until it is null.")
            .AddOpenApiOperationTransformer(PaymentOperations.List)
            .Produces<PaymentPage>()
            .ProducesProblems(StatusCodes.Status400BadRequest, Types.Validation);
    }
}
