using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Persistence.Idempotency;
using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary>
/// <c>POST /payments</c>: validates, then in one transaction claims the idempotency key, stores the payment
/// as PENDING, writes <see cref="PaymentRequested"/> to the outbox and stores the response for replays.
/// Nothing outside Postgres is called.
/// </summary>
public static class CreatePayment
{
    /// <summary>A request holds its key for one short transaction: a second is plenty before retrying.</summary>
    const int RetryAfterSeconds = 1;

    public static async Task<IResult> Handle(HttpContext http, PaymentsDbContext db, IPublishEndpoint publish,
        IOptions<PaymentRules> rules, IOptions<JsonOptions> json, ILogger<CreatePaymentRequest> logger, CancellationToken cancellationToken)
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

        using var scope = logger.BeginScope("UserId:{UserId} IdempotencyKey:{IdempotencyKey}", userId, key);
        return await CreateOnce(db, publish, json.Value.SerializerOptions, userId, key, request, cancellationToken);
    }

    static async Task<IResult> CreateOnce(PaymentsDbContext db, IPublishEndpoint publish, JsonSerializerOptions json, Guid userId, string key,
        CreatePaymentRequest request, CancellationToken cancellationToken)
    {
        var fingerprint = request.Fingerprint();
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var (outcome, existing) = await IdempotencyClaim.TryClaim(db, userId, key, cancellationToken);
            switch (outcome)
            {
                case IdempotencyClaim.Outcome.InProgress:
                    return ApiProblems.RequestInProgress(RetryAfterSeconds);
                case IdempotencyClaim.Outcome.Completed when existing!.RequestHash.AsSpan().SequenceEqual(fingerprint):
                    return new StoredResponse(existing.ResponseStatus, existing.ResponseBody, existing.ResponseLocation, replayed: true);
                case IdempotencyClaim.Outcome.Completed:
                    return ApiProblems.IdempotencyKeyReused();
            }

            var payment = NewPayment(request);
            await publish.Publish(
                new PaymentRequested(payment.Id, payment.UserId, payment.Amount, payment.Currency, payment.Description, payment.CreatedAt),
                cancellationToken);

            var location = $"/payments/{payment.Id}";
            var body = JsonSerializer.Serialize(PaymentResponse.From(payment), json);
            db.Payments.Add(payment);
            db.IdempotencyKeys.Add(new IdempotencyRecord
            {
                UserId = userId,
                Key = key,
                RequestHash = fingerprint,
                ResponseStatus = StatusCodes.Status201Created,
                ResponseBody = body,
                ResponseLocation = location,
                PaymentId = payment.Id,
                CreatedAt = payment.CreatedAt,
            });

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new StoredResponse(StatusCodes.Status201Created, body, location, replayed: false);
            }
            catch (DbUpdateException e) when (attempt == 1 && DbConflicts.IsUniqueViolation(e))
            {
                // Lost a race the lock cannot see (e.g. a lock-hash collision): look again, now the winner has committed.
                db.ChangeTracker.Clear();
            }
        }
    }

    static Payment NewPayment(CreatePaymentRequest request)
    {
        // Postgres keeps microseconds: trim now so the 201 body and every later read agree.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.UtcTicks % 10));
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
