using Microsoft.OpenApi;
using Payments.Api.Problems;

namespace Payments.Api.Payments;

public static class PaymentEndpoints
{
    public static void MapPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/payments").RequireAuthorization().WithTags("Payments");

        payments.MapPost("/", CreatePayment.Handle)
            .WithName("CreatePayment")
            .WithSummary("Create a payment (stored as PENDING; processed asynchronously)")
            // Documented, not enforced by routing: the handler answers a wrong content type with its own 415 problem.
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(CreatePaymentRequest), null, cancellationToken);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
                };
            })
            .Produces<PaymentResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        payments.MapGet("/{id}", GetPayment.Handle)
            .WithName("GetPayment")
            .Produces<PaymentResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        payments.MapGet("/{id}/events", ListPaymentEvents.Handle)
            .WithName("ListPaymentEvents")
            .WithSummary("A payment's history, oldest first (keyset-paginated)")
            .Produces<PaymentEventPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        payments.MapGet("/", ListPayments.Handle)
            .WithName("ListPayments")
            .Produces<PaymentPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }
}
