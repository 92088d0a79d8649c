using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Payments.Processing.Telemetry;

namespace Payments.Processing.Webhooks;

/// <summary>
/// One attempt: POSTs the delivery's fixed body with the Standard Webhooks headers and reports what came back. Never
/// throws for what the receiver or the network did; only cancellation propagates.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time)
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public async Task<WebhookAttempt> Send(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        using var activity = PaymentsActivitySource.Source.StartActivity("webhook send");
        activity?.SetTag("webhook.endpoint_id", delivery.EndpointId);
        activity?.SetTag("webhook.id", delivery.EventId);
        activity?.SetTag("webhook.attempt", delivery.Attempts + 1);

        var attempt = await Post(delivery, cancellationToken);
        if (attempt.StatusCode is { } status)
            activity?.SetTag("http.response.status_code", status);
        if (!attempt.Succeeded)
            activity?.SetStatus(ActivityStatusCode.Error, attempt.Error);
        return attempt;
    }

    async Task<WebhookAttempt> Post(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var webhookId = delivery.EventId.ToString();
        // The receiver checks the timestamp against its own clock (StandardWebhooks' Verify: real UtcNow, 5 minutes
        // either way), so it is the wall clock at sending, never the schedule's clock, which tests drive by hand.
        var sentAt = TimeProvider.System.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url);
        request.Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json");
        request.Headers.Add(IdHeader, webhookId);
        request.Headers.Add(TimestampHeader, sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, WebhookSignature.Header(webhookId, sentAt, delivery.Payload, delivery.Secrets, time.GetUtcNow()));

        try
        {
            using var client = clients.CreateClient(WebhookHttpClient.Name);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            return WebhookAttempt.Answered(status, status is 429 or 503 ? RetryAfter(response.Headers.RetryAfter) : null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return WebhookAttempt.Unanswered("no answer within the timeout");
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookAddressRefusedException refused)
        {
            return WebhookAttempt.Unanswered(refused.Message);
        }
        catch (HttpRequestException e)
        {
            return WebhookAttempt.Unanswered(e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}");
        }
    }

    /// <summary>Retry-After as seconds or as an HTTP date; a date in the past asks for no wait.</summary>
    TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };
}
