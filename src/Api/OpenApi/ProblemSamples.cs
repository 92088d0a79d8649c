using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Api.Problems;

namespace Payments.Api.OpenApi;

/// <summary>One problem of each type, made by <see cref="ApiProblems"/> as a request would get it: the document's examples.</summary>
public static class ProblemSamples
{
    /// <summary>A W3C trace id, as every problem carries one.</summary>
    const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    public static readonly IReadOnlyList<IResult> All =
    [
        ApiProblems.Validation(new Dictionary<string, string[]>
        {
            ["amount"] = ["must be a whole number of minor units between 1 and 100000000"],
            ["currency"] = ["is not supported; use one of USD, EUR, GBP, INR, JPY, CHF, CAD, AUD, SGD"],
        }),
        ApiProblems.Unprocessable(new Dictionary<string, string[]>
        {
            ["url"] = ["must not point at 10.0.0.7, which is private; webhooks go to public addresses only"],
            ["event_types"] = ["has unknown event types (payment.created); known are payment.succeeded, payment.failed"],
        }),
        ApiProblems.MalformedJson("The body could not be parsed as JSON (line 1, byte 18)."),
        ApiProblems.MissingIdempotencyKey(),
        ApiProblems.InvalidIdempotencyKey(),
        ApiProblems.Unauthorized(),
        ApiProblems.Forbidden("user_id must be the authenticated user.", "user_id"),
        ApiProblems.NotFound(),
        ApiProblems.PaymentNotRefundable("PENDING"),
        ApiProblems.RefundExceedsRemaining(499, "USD"),
        ApiProblems.RequestInProgress(1),
        ApiProblems.PayloadTooLarge(16384),
        ApiProblems.UnsupportedMediaType(),
        ApiProblems.IdempotencyKeyReused(),
        ApiProblems.Internal(),
        ApiProblems.Overloaded(2),
    ];

    static readonly Dictionary<string, IResult> ByType = All.ToDictionary(p => ApiProblems.Describe(p).Problem.Type!);

    public static IResult For(string type) =>
        ByType.TryGetValue(type, out var sample) ? sample : throw new ArgumentException($"no sample problem of type {type}", nameof(type));

    /// <summary>The body a client gets: the problem as the API serializes it, with a trace id.</summary>
    public static JsonNode Json(IResult sample, JsonSerializerOptions options)
    {
        var body = JsonSerializer.SerializeToNode(ApiProblems.Describe(sample).Problem, options)!;
        body["trace_id"] = TraceId;
        return body;
    }
}
