namespace Payments.Processing.Telemetry;

/// <summary>
/// The <c>Payments</c> meter and the names of its instruments, in one place for the code that records them, the hosts
/// that export them and <c>docs/metrics.md</c>. Names follow OpenTelemetry's conventions: lower-case, dotted, the
/// system name (<c>payments</c>) first, no <c>_total</c>; the unit is given apart (<c>{payment}</c>, <c>{message}</c>, <c>s</c>).
/// </summary>
public static class PaymentsMeter
{
    public const string Name = "Payments";

    public const string Created = "payments.created";
    public const string Completed = "payments.completed";
    public const string Duration = "payments.duration";

    public const string RefundsCreated = "payments.refunds.created";

    public const string OutboxDue = "payments.outbox.due";
    public const string OutboxOldestDueAge = "payments.outbox.oldest_due_age";
    public const string OutboxParked = "payments.outbox.parked";
    public const string OutboxParkedMessages = "payments.outbox.parked_messages";

    public const string DeadLetterDepth = "payments.dlq.depth";

    public const string WebhookAttempts = "payments.webhooks.attempts";
    public const string WebhooksPending = "payments.webhooks.pending";

    /// <summary>Tag of <see cref="Created"/> and <see cref="RefundsCreated"/>: the payment's currency (one of the few the rules allow).</summary>
    public const string CurrencyTag = "currency";

    /// <summary>Tag of <see cref="Completed"/> and <see cref="Duration"/>: <c>SUCCESS</c> or <c>FAILED</c>.</summary>
    public const string StatusTag = "status";

    /// <summary>Tag of <see cref="WebhookAttempts"/>: <c>succeeded</c>, <c>failed</c> or <c>unanswered</c>.</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>Tag of <see cref="DeadLetterDepth"/>: the dead-letter queue's name.</summary>
    public const string QueueTag = "queue";
}
