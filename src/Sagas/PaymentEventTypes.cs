namespace Payments.Sagas;

/// <summary>
/// The names of a payment's history entries as <c>GET /payments/{id}/events</c> shows them (docs/payment-history.md).
/// Clients switch on them: never rename one, only add.
/// </summary>
public static class PaymentEventTypes
{
    public const string Created = "payment.created";
    public const string ChargeRequested = "charge.requested";
    public const string ChargeApproved = "charge.approved";
    public const string ChargeDeclined = "charge.declined";
    public const string ChargeFailedTransient = "charge.failed_transient";
    public const string ChargeAnswerLost = "charge.answer_lost";
    public const string ChargeTimedOut = "charge.timed_out";
    public const string RetryScheduled = "retry.scheduled";
    public const string ReconciliationRequested = "reconciliation.requested";
    public const string ReconciliationTimedOut = "reconciliation.timed_out";
    public const string ChargeNotFound = "charge.not_found";
    public const string Succeeded = "payment.succeeded";
    public const string Failed = "payment.failed";

    public static readonly IReadOnlyList<string> All =
    [
        Created, ChargeRequested, ChargeApproved, ChargeDeclined, ChargeFailedTransient, ChargeAnswerLost, ChargeTimedOut, RetryScheduled,
        ReconciliationRequested, ReconciliationTimedOut, ChargeNotFound, Succeeded, Failed,
    ];
}
