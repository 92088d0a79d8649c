using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Payments.Api.Admission;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Contracts;
using Payments.Persistence.Idempotency;
using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary>
/// <c>POST /payments</c>: validates, then in one transaction claims the idempotency key, stores the payment
/// as PENDING, writes <see cref="PaymentRequested"/> to the outbox and stores the response for replays.
/// Nothing outside Postgres is called. While the backlog is at its bound (<see cref="PaymentAdmission"/>) a new payment is
/// refused with 503 and nothing is written; a replay is still answered.
/// </summary>
public static class CreatePayment
{
    static readonly Func<ILogger, Guid, string, IDisposable?> RequestScope =
        LoggerMessage.DefineScope<Guid, string>("UserId:{UserId} IdempotencyKey:{IdempotencyKey}");

    public static async Task<IResult> Handle(HttpContext http, PaymentCreation creation, PaymentAdmission admission, IOptions<PaymentRules> rules,
        IOptions<JsonOptions> json, ILogger<CreatePaymentRequest> logger, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

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
        CreatePaymentRequest? request;
        Dictionary<string, string[]> errors;
        using (document)
            request = CreatePaymentRequest.Parse(document!.RootElement, rules.Value, out errors);
        if (request is null)
            return ApiProblems.Validation(errors);

        if (request.UserId != userId)
            return ApiProblems.Forbidden("user_id must be the authenticated user.", "user_id");

        using var scope = RequestScope(logger, userId, key);
        using var admitted = admission.Ticket();
        var result = await creation.CreateOnce(NewPayment(request), key, request.Fingerprint(),
            payment => new CreatedResponse(StatusCodes.Status201Created, JsonSerializer.Serialize(PaymentResponse.From(payment), json.Value.SerializerOptions),
                $"/payments/{payment.Id}"),
            cancellationToken, admitted.TryTake);
        if (result.Outcome == CreationOutcome.Created)
            admitted.Created();
        return result.Outcome == CreationOutcome.Shed ? ApiProblems.Overloaded(admission.RetryAfterSeconds) : result.ToHttpResult();
    }

    static Payment NewPayment(CreatePaymentRequest request)
    {
        var now = DatabaseTime.Now();
        return new Payment
        {
            Id = NewId.NextSequentialGuid(),
            UserId = request.UserId,
            Amount = request.Amount,
            Currency = request.Currency,
            Description = request.Description,
            Metadata = request.Metadata,
            Status = PaymentStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
