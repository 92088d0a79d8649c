using System.Net;
using Payments.Aws.Http;
using Payments.Processing;

namespace Payments.Aws.Signing;

/// <summary>An AWS call that failed: an error response, or no response at all (<see cref="StatusCode"/> null).</summary>
public sealed class AwsRequestException(HttpStatusCode? statusCode, string code, string message, Exception? inner = null)
    : Exception($"{code}: {message}", inner), ITransientFailure
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    /// <summary>True when the same request may succeed if retried later.</summary>
    public bool IsTransient =>
        StatusCode switch { null or HttpStatusCode.TooManyRequests => true, var status => (int)status >= 500 }
        || AwsErrorResponse.IsTransient(Code);
}
