using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Payments.Workers.Lambda;

/// <summary>
/// The Lambda Runtime API (<c>http://{AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/</c>): next invocation, response,
/// invocation error, init error. The <see cref="HttpClient"/> must have no timeout: <c>invocation/next</c> blocks
/// until an event arrives, for as long as the function stays idle.
/// </summary>
public sealed class LambdaRuntimeClient(HttpClient http, Uri runtimeApi)
{
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    readonly Uri _base = new(new Uri(runtimeApi.ToString().TrimEnd('/') + "/"), "2018-06-01/runtime/");

    public async Task<LambdaInvocation> Next(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(_base, "invocation/next"), cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new LambdaRuntimeApiException($"invocation/next answered {(int)response.StatusCode}");

        var requestId = response.Headers.TryGetValues(RequestIdHeader, out var ids) ? ids.FirstOrDefault() : null;
        if (string.IsNullOrEmpty(requestId))
            throw new LambdaRuntimeApiException($"invocation/next answered without {RequestIdHeader}");

        DateTimeOffset? deadline = null;
        if (response.Headers.TryGetValues(DeadlineHeader, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs))
            deadline = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new LambdaInvocation(requestId, deadline, body);
    }

    public Task Respond(string requestId, string responseJson, CancellationToken cancellationToken) =>
        Post($"invocation/{Uri.EscapeDataString(requestId)}/response", responseJson, errorType: null, cancellationToken);

    /// <summary>The invocation failed as a whole: Lambda retries the entire batch (nothing is deleted).</summary>
    public Task ReportInvocationError(string requestId, string errorType, Exception exception, CancellationToken cancellationToken) =>
        Post($"invocation/{Uri.EscapeDataString(requestId)}/error", ErrorBody(exception), errorType, cancellationToken);

    /// <summary>Initialisation failed; the runtime must exit afterwards.</summary>
    public Task ReportInitError(string errorType, Exception exception, CancellationToken cancellationToken) =>
        Post("init/error", ErrorBody(exception), errorType, cancellationToken);

    static string ErrorBody(Exception exception) =>
        JsonSerializer.Serialize(new { errorMessage = exception.Message, errorType = exception.GetType().Name });

    async Task Post(string path, string json, string? errorType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, path))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (errorType is not null)
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new LambdaRuntimeApiException(
                $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }
}
