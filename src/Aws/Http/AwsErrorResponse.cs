using System.Net;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Payments.Aws.Signing;

namespace Payments.Aws.Http;

/// <summary>
/// Reads an AWS error response in any of the protocols the clients speak: JSON (<c>{"__type": …, "message": …}</c>,
/// EventBridge and Secrets Manager), Query/XML (<c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code&gt;</c>, SNS), and the
/// <c>x-amzn-ErrorType</c> header some services send with either.
/// </summary>
internal static class AwsErrorResponse
{
    // The codes AWS services answer when a caller goes too fast (with 400 as often as with 429).
    static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded",
    };

    public static bool IsThrottling(string code) => ThrottlingCodes.Contains(code);

    /// <summary>Codes that say "try again later" whatever the status they came with: throttling, or the service failing inside.</summary>
    public static bool IsTransient(string code) => IsThrottling(code) || code is "InternalFailure" or "ServiceUnavailable";

    /// <summary>The error code of <paramref name="body"/>, without a service's namespace (<c>com.amazonaws.events#</c>); null when it is no AWS error document.</summary>
    public static (string Code, string Message)? Read(string body)
    {
        var text = body.TrimStart();
        try
        {
            if (text.StartsWith('{'))
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("__type", out var type) && type.GetString() is { Length: > 0 } code)
                    return (WithoutNamespace(code), Property(json.RootElement, "message") ?? Property(json.RootElement, "Message") ?? "");
            }
            else if (text.StartsWith('<'))
            {
                var error = XDocument.Parse(text).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                string? Field(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                if (Field("Code") is { Length: > 0 } code)
                    return (code, Field("Message") ?? "");
            }
        }
        catch (Exception e) when (e is JsonException or XmlException)
        {
            // Not an error document (e.g. a proxy's page): the caller falls back to the status code.
        }
        return null;
    }

    /// <summary>The code in <c>x-amzn-ErrorType</c> (<c>ThrottlingException:http://internal.amazon.com/…</c>), or null.</summary>
    public static string? HeaderCode(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-ErrorType", out var values) && values.FirstOrDefault() is { Length: > 0 } value
            ? WithoutNamespace(value.Split(':', 2)[0])
            : null;

    public static AwsRequestException ToException(HttpStatusCode status, string? headerCode, string body) =>
        Read(body) is var (code, message)
            ? new AwsRequestException(status, code, message)
            : new AwsRequestException(status, headerCode ?? $"Http{(int)status}", body.Length > 500 ? body[..500] : body);

    static string WithoutNamespace(string code) => code[(code.LastIndexOf('#') + 1)..];

    static string? Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
