using System.Net;
using Polly;
using Polly.Timeout;

namespace Payments.Aws.Http;

/// <summary>Which outcomes of one attempt are worth another, and how long a server asked to wait before it.</summary>
internal static class AwsRetryableOutcome
{
    static readonly HashSet<HttpStatusCode> RetriedStatuses =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    /// <summary>
    /// Network errors, attempt timeouts, 408, 429, 500, 502, 503, 504, and throttling: AWS answers it with 400 and a code
    /// (<c>ThrottlingException</c>, SNS's <c>Throttling</c>, …) in the body or the <c>x-amzn-ErrorType</c> header.
    /// Any other 4xx is the request's fault and would fail again.
    /// </summary>
    public static async ValueTask<bool> IsRetryable(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Exception is { } exception)
            return exception is HttpRequestException or TimeoutRejectedException;
        var response = outcome.Result!;
        if (RetriedStatuses.Contains(response.StatusCode))
            return true;
        if (response.IsSuccessStatusCode)
            return false;
        if (AwsErrorResponse.HeaderCode(response) is { } headerCode && AwsErrorResponse.IsThrottling(headerCode))
            return true;
        // Error documents are small; reading buffers the content, so the client still reads it after the pipeline.
        return response.StatusCode == HttpStatusCode.BadRequest
               && AwsErrorResponse.Read(await response.Content.ReadAsStringAsync(cancellationToken)) is var (code, _)
               && AwsErrorResponse.IsThrottling(code);
    }

    /// <summary>The wait a response's <c>Retry-After</c> asks for, at most <paramref name="max"/>; null without one (the jittered back-off applies).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max, DateTimeOffset now)
    {
        var wait = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => (TimeSpan?)null,
        };
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, max.Ticks));
    }
}
