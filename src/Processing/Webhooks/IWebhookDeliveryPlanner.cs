namespace Payments.Processing.Webhooks;

/// <summary>
/// Plans the webhooks of a payment's or a refund's outcome. Storage implements it in the scope's transaction: the one that
/// finishes the payment or refund.
/// </summary>
public interface IWebhookDeliveryPlanner
{
    /// <summary>
    /// One pending delivery of the event per enabled endpoint of <paramref name="userId"/> subscribed to
    /// <paramref name="eventType"/>, due now, its body (the payment) fixed now; an (endpoint, event) pair planned before is
    /// left as it is, so planning the event again adds nothing. The sender is woken once the transaction commits. Returns
    /// how many deliveries were planned.
    /// </summary>
    Task<int> PlanOutcome(Guid eventId, string eventType, Guid paymentId, Guid userId, CancellationToken cancellationToken);

    /// <summary>As <see cref="PlanOutcome"/>, with the refund as the body.</summary>
    Task<int> PlanRefundOutcome(Guid eventId, string eventType, Guid refundId, Guid userId, CancellationToken cancellationToken);
}
