namespace Payments.Processing.Webhooks;

/// <summary>
/// The event types an endpoint may subscribe to. The list is open: new types are added, none is renamed, so a stored
/// subscription stays meaningful.
/// </summary>
public static class WebhookEventTypes
{
    public const string PaymentSucceeded = "payment.succeeded";
    public const string PaymentFailed = "payment.failed";
    public const string RefundSucceeded = "refund.succeeded";
    public const string RefundFailed = "refund.failed";

    public static readonly IReadOnlyList<string> All = [PaymentSucceeded, PaymentFailed, RefundSucceeded, RefundFailed];
}
