using Microsoft.OpenApi;
using Payments.Api.Analytics;
using Payments.Api.Refunds;
using Payments.Api.Webhooks;
using Scalar.AspNetCore;

namespace Payments.Api.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>; committed as <c>docs/openapi.json</c>) and, in Development, its
/// reference page at <c>/docs</c>.
/// </summary>
public static class OpenApiRegistration
{
    public const string ReferencePath = "/docs";

    const string Description = """
        Payments are created with `POST /payments` and processed asynchronously: the answer is `201` with the payment `PENDING`;
        read it again (or list your payments) to see it become `SUCCESS` or `FAILED`, which never change afterwards.

        **Authentication**: every `/payments`, `/webhook-endpoints` and `/analytics` operation takes a bearer JWT whose `sub` is the user's
        uuid; a user sees only their own payments and endpoints (anyone else's are `404`).

        **Retries**: send an `Idempotency-Key` with every `POST /payments`, `POST /payments/{id}/refunds` and `POST /webhook-endpoints` and reuse it when retrying. The same key and body
        replay the first answer (`Idempotent-Replayed: true`); the same key with another body is `422`; a retry while the
        first request is still running is `409` with `Retry-After`. Nothing is ever created twice.

        **Errors** are `application/problem+json` (RFC 9457) with a stable `type` (see the `Problem` schema); a `400` of type
        `validation-error` names each offending field in `errors`, and nothing was written.

        **Refunds**: `POST /payments/{id}/refunds` gives back part (`amount`) or all that remains of a `SUCCESS` payment, as often as
        you like until its amount is used up, never beyond; a refund goes `PENDING` → `SUCCEEDED` or `FAILED`, and the payment's
        `amount_refunded` counts the succeeded ones (its own status stays `SUCCESS`). A payment that is not `SUCCESS` is `409`
        (`payment-not-refundable`); more than remains is `422` (`refund-exceeds-remaining`, with `remaining_refundable`).

        **Webhooks**: register an endpoint with `POST /webhook-endpoints` to be told when your payments succeed or fail; its
        signing secret is in that answer only. Refused input is `422` of type `unprocessable-content` (an unknown event type, a
        URL that is not `https` or points at a private address), naming each field in `errors`. See docs/webhooks.md.

        **Analytics**: `GET /analytics/daily?from=&to=` sums up your finished payments per UTC day and currency (docs/analytics.md).

        **Lists** are paginated by cursor: pass `next_cursor` back as `cursor` until it is null. Payments come newest first, a
        payment's history (`GET /payments/{id}/events`) oldest first.
        """;

    public static void AddPaymentsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = "Payments API", Version = "v1", Description = Description };
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = "Payments", Description = "Create, read and list your payments, and read each one's history." },
                    new() { Name = RefundRoutes.Tag, Description = "Give back part or all of a successful payment, and read its refunds." },
                    new() { Name = WebhookEndpointRoutes.Tag, Description = "Register, read, change and delete your webhook endpoints, and rotate their secrets." },
                    new() { Name = AnalyticsEndpoints.Tag, Description = "Your payments' daily counts, amounts and times to completion." },
                    new() { Name = HealthPaths.Tag, Description = "Probes for load balancers and orchestrators; no token." },
                };
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<BearerSecurity>();
            options.AddDocumentTransformer<ProblemSchema>();
            options.AddDocumentTransformer<HealthPaths>();
            options.AddOperationTransformer<BearerSecurity>();
            options.AddOperationTransformer<ProblemResponses>();
            options.AddOperationTransformer<ResponseHeaders>();
            options.AddSchemaTransformer<PaymentSchemas>();
            options.AddSchemaTransformer<WebhookSchemas>();
            options.AddSchemaTransformer<RefundSchemas>();
        });

    public static void MapPaymentsOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
            // Everything the page loads is served by the app itself: no fonts, telemetry, agent or hosted tools from elsewhere.
            app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("Payments API")
                .AddPreferredSecuritySchemes(BearerSecurity.SchemeName)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .HideDeveloperTools());
    }
}
