using StandardWebhooks;

namespace Payments.Processing.Webhooks;

/// <summary>
/// The <c>webhook-signature</c> header (Standard Webhooks 1.0): <c>v1,&lt;base64&gt;</c> over <c>{id}.{timestamp}.{body}</c>
/// with the endpoint's secret, and beside it, space-separated, one with the previous secret while its grace lasts, so a
/// receiver still verifying with the old secret accepts deliveries during a rotation.
/// </summary>
public static class WebhookSignature
{
    public static string Header(string webhookId, DateTimeOffset timestamp, string payload, WebhookSecrets secrets, DateTimeOffset now)
    {
        var current = new StandardWebhook(secrets.Current).Sign(webhookId, timestamp, payload);
        if (secrets.Previous is not { } previous || secrets.PreviousExpiresAt is not { } expires || expires <= now)
            return current;
        return current + " " + new StandardWebhook(previous).Sign(webhookId, timestamp, payload);
    }
}

/// <summary>An endpoint's signing secrets (<c>whsec_</c>…): the current one, and the previous one until its grace expires.</summary>
public sealed record WebhookSecrets(string Current, string? Previous, DateTimeOffset? PreviousExpiresAt);
