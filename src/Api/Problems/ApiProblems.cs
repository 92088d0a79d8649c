using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Payments.Api.Problems;

/// <summary>
/// Every error a client can get, as RFC 9457 problem details. The <c>type</c> values are stable: clients
/// may switch on them. None carries internal detail.
/// </summary>
public static class ApiProblems
{
    public const string TypePrefix = "urn:payments:problem:";

    public static class Types
    {
        public const string Validation = TypePrefix + "validation-error";
        public const string Unprocessable = TypePrefix + "unprocessable-content";
        public const string MalformedJson = TypePrefix + "malformed-json";
        public const string MissingIdempotencyKey = TypePrefix + "missing-idempotency-key";
        public const string InvalidIdempotencyKey = TypePrefix + "invalid-idempotency-key";
        public const string IdempotencyKeyReused = TypePrefix + "idempotency-key-reused";
        public const string RequestInProgress = TypePrefix + "request-in-progress";
        public const string Overloaded = TypePrefix + "overloaded";
        public const string UnsupportedMediaType = TypePrefix + "unsupported-media-type";
        public const string PayloadTooLarge = TypePrefix + "payload-too-large";
        public const string Unauthorized = TypePrefix + "unauthorized";
        public const string Forbidden = TypePrefix + "forbidden";
        public const string NotFound = TypePrefix + "not-found";
        public const string PaymentNotRefundable = TypePrefix + "payment-not-refundable";
        public const string RefundExceedsRemaining = TypePrefix + "refund-exceeds-remaining";
        public const string Internal = TypePrefix + "internal-error";
    }

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        Problem(400, Types.Validation, "The request is not valid.", "See 'errors' for each offending field.",
            new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>
    /// Well-formed and of the right types, but refused for what it says (an unknown event type, a URL webhooks may not go to):
    /// each offending field in <c>errors</c>, all of them in the detail.
    /// </summary>
    public static ProblemHttpResult Unprocessable(IDictionary<string, string[]> errors) =>
        Problem(422, Types.Unprocessable, "The request cannot be accepted.",
            string.Join("; ", errors.SelectMany(e => e.Value.Select(message => $"{e.Key} {message}"))) + ".",
            new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult MalformedJson(string detail) =>
        Problem(400, Types.MalformedJson, "The request body is not valid JSON.", detail);

    public static ProblemHttpResult MissingIdempotencyKey() =>
        Problem(400, Types.MissingIdempotencyKey, "The Idempotency-Key header is required.",
            "Send a unique key (for example a UUID) in the Idempotency-Key header and reuse it when retrying.",
            Field("Idempotency-Key"));

    public static ProblemHttpResult InvalidIdempotencyKey() =>
        Problem(400, Types.InvalidIdempotencyKey, "The Idempotency-Key header is malformed.",
            "Use 1 to 255 visible ASCII characters, sent once.", Field("Idempotency-Key"));

    public static ProblemHttpResult IdempotencyKeyReused() =>
        Problem(422, Types.IdempotencyKeyReused, "This Idempotency-Key was used with a different request.",
            "A key identifies one request; use a new key for a different request.", Field("Idempotency-Key"));

    public static IResult RequestInProgress(int retryAfterSeconds) =>
        new WithHeader(RequestInProgressProblem(), "Retry-After", retryAfterSeconds.ToString());

    static ProblemHttpResult RequestInProgressProblem() =>
        Problem(409, Types.RequestInProgress, "A request with this Idempotency-Key is still being processed.",
            "Retry after the time given in Retry-After to get its result.", Field("Idempotency-Key"));

    /// <summary>Admission control refused a new payment: nothing was written, and a retry with the same key is safe.</summary>
    public static IResult Overloaded(int retryAfterSeconds) =>
        new WithHeader(Problem(503, Types.Overloaded, "Too many payments are waiting to be processed.",
            "Nothing was created. Send the same request with the same Idempotency-Key after the time given in Retry-After."),
            "Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture));

    public static ProblemHttpResult UnsupportedMediaType() =>
        Problem(415, Types.UnsupportedMediaType, "The request body must be application/json.", null, Field("Content-Type"));

    public static ProblemHttpResult PayloadTooLarge(long limit) =>
        Problem(413, Types.PayloadTooLarge, "The request body is too large.", $"The limit is {limit} bytes.");

    public static IResult Unauthorized() =>
        new WithHeader(Problem(401, Types.Unauthorized, "A valid bearer token is required.", null), "WWW-Authenticate", "Bearer");

    public static ProblemHttpResult Forbidden(string detail, string field) =>
        Problem(403, Types.Forbidden, "Not allowed.", detail, Field(field));

    public static ProblemHttpResult NotFound(string what = "payment") =>
        Problem(404, Types.NotFound, $"No such {what}.", null);

    /// <summary>A refund of a payment that is not SUCCESS (yet, or ever): nothing was written.</summary>
    public static ProblemHttpResult PaymentNotRefundable(string paymentStatus) =>
        Problem(409, Types.PaymentNotRefundable, "Only a successful payment can be refunded.",
            $"The payment is {paymentStatus}; a refund needs it to be SUCCESS.",
            new Dictionary<string, object?> { ["field"] = "id", ["payment_status"] = paymentStatus });

    /// <summary>A refund of more than the payment can still give back (pending refunds count): nothing was written.</summary>
    public static ProblemHttpResult RefundExceedsRemaining(long remaining, string currency) =>
        Problem(422, Types.RefundExceedsRemaining, "The refund is more than the payment can still give back.",
            $"At most {remaining.ToString(CultureInfo.InvariantCulture)} (minor units of {currency}) remains refundable: the payment's amount "
            + "less its pending and succeeded refunds.",
            new Dictionary<string, object?> { ["field"] = "amount", ["remaining_refundable"] = remaining });

    public const string InternalTitle = "Something went wrong on our side.";

    /// <summary>What an unhandled error becomes (<see cref="ProblemsRegistration"/> writes it): a title, never a detail.</summary>
    public static ProblemHttpResult Internal() => Problem(500, Types.Internal, InternalTitle, null);

    /// <summary>The problem a result writes and the header it sets beside it, if any: for the OpenAPI document's examples.</summary>
    public static (ProblemDetails Problem, string? Header) Describe(IResult result) => result switch
    {
        ProblemHttpResult problem => (problem.ProblemDetails, null),
        WithHeader { Inner: ProblemHttpResult problem } withHeader => (problem.ProblemDetails, withHeader.Name),
        _ => throw new ArgumentException($"{result.GetType().Name} is not a problem of {nameof(ApiProblems)}", nameof(result)),
    };

    static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };

    static ProblemHttpResult Problem(int status, string type, string title, string? detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        if (extensions is not null)
            foreach (var (key, value) in extensions)
                problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }

    /// <summary>A problem response that also sets one header (Retry-After, WWW-Authenticate).</summary>
    sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public IResult Inner => inner;
        public string Name => name;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
