using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Aws.Signing;

/// <summary>Turns an AWS JSON-protocol error response (<c>{"__type": …, "message": …}</c>) into an <see cref="AwsRequestException"/>.</summary>
internal static class AwsJsonError
{
    public static AwsRequestException From(HttpStatusCode status, string body)
    {
        try
        {
            var error = JsonSerializer.Deserialize<JsonError>(body);
            if (error?.Type is { } type)
                // Some services qualify the code: "com.amazonaws.events#ValidationException".
                return new AwsRequestException(status, type[(type.LastIndexOf('#') + 1)..], error.LowerMessage ?? error.Message ?? "");
        }
        catch (JsonException)
        {
            // Not a JSON error document (e.g. a proxy's page): fall through to the status code.
        }
        return new AwsRequestException(status, $"Http{(int)status}", body.Length > 500 ? body[..500] : body);
    }

    sealed record JsonError(
        [property: JsonPropertyName("__type")] string? Type,
        [property: JsonPropertyName("message")] string? LowerMessage,
        [property: JsonPropertyName("Message")] string? Message);
}
