namespace Payments.Processing.Webhooks;

/// <summary>
/// What one attempt got: the receiver's status code (null when none came: refused address, connection failure, timeout),
/// the wait it asked for (<c>Retry-After</c> on 429 or 503), and a short description of what went wrong.
/// </summary>
public sealed record WebhookAttempt(int? StatusCode, TimeSpan? RetryAfter, string? Error)
{
    public const int MaxErrorLength = 512;

    /// <summary>Only a 2xx is a delivery; a 3xx is a failure (redirects are not followed).</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>410 Gone: the receiver says the endpoint no longer exists.</summary>
    public bool Gone => StatusCode == 410;

    public static WebhookAttempt Answered(int statusCode, TimeSpan? retryAfter) =>
        new(statusCode, retryAfter, statusCode is >= 200 and < 300 ? null : $"HTTP {statusCode}");

    public static WebhookAttempt Unanswered(string error) =>
        new(null, null, error.Length <= MaxErrorLength ? error : error[..MaxErrorLength]);
}
