using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Payments.Api.Auth;
using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Persistence.Idempotency;
using Payments.Persistence.Webhooks;
using Payments.Processing.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// <c>POST /webhook-endpoints</c>: validates (the URL against the address guard too), then stores the endpoint with a new
/// signing secret once per Idempotency-Key, as <c>POST /payments</c> stores a payment. The 201 carries the secret; a replay
/// of the same request answers the stored 201 again, secret included.
/// </summary>
public static class CreateWebhookEndpoint
{
    public static async Task<IResult> Handle(HttpContext http, WebhookEndpoints endpoints, WebhookAddressGuard guard,
        IOptions<PaymentRules> rules, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        switch (IdempotencyKeyHeader.Read(http.Request.Headers, out var key))
        {
            case IdempotencyKeyHeader.Outcome.Missing: return ApiProblems.MissingIdempotencyKey();
            case IdempotencyKeyHeader.Outcome.Malformed: return ApiProblems.InvalidIdempotencyKey();
        }

        var (request, problem) = await WebhookEndpointBody.Read(http.Request, rules.Value, guard, create: true, cancellationToken);
        if (problem is not null)
            return problem;

        var result = await endpoints.CreateOnce(NewEndpoint(userId, request!), key, request!.Fingerprint(),
            endpoint => new CreatedResponse(StatusCodes.Status201Created,
                JsonSerializer.Serialize(CreatedWebhookEndpointResponse.From(endpoint), json.Value.SerializerOptions),
                $"/webhook-endpoints/{endpoint.Id}"),
            cancellationToken);
        return result.ToHttpResult();
    }

    static WebhookEndpoint NewEndpoint(Guid userId, WebhookEndpointRequest request)
    {
        var now = DatabaseTime.Now();
        return new WebhookEndpoint
        {
            Id = NewId.NextSequentialGuid(),
            UserId = userId,
            Url = request.Url!,
            Description = request.Description,
            EventTypes = [.. request.EventTypes!],
            Enabled = true,
            Secret = WebhookSecret.New(),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
