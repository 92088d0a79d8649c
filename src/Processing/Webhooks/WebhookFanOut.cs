using MassTransit;
using Payments.Contracts;

namespace Payments.Processing.Webhooks;

/// <summary>
/// Turns each payment or refund outcome into deliveries for its owner's webhook endpoints. Runs in the inbox transaction,
/// so the deliveries are planned once per event however often the event arrives; the <c>webhook-id</c> is the event's
/// <c>EventId</c>, the same for every attempt and every re-publish.
/// </summary>
public sealed class WebhookFanOut(IWebhookDeliveryPlanner planner)
    : IConsumer<PaymentSucceeded>, IConsumer<PaymentFailed>, IConsumer<RefundSucceeded>, IConsumer<RefundFailed>
{
    public Task Consume(ConsumeContext<PaymentSucceeded> context) =>
        planner.PlanOutcome(context.Message.EventId, WebhookEventTypes.PaymentSucceeded, context.Message.PaymentId, context.Message.UserId,
            context.CancellationToken);

    public Task Consume(ConsumeContext<PaymentFailed> context) =>
        planner.PlanOutcome(context.Message.EventId, WebhookEventTypes.PaymentFailed, context.Message.PaymentId, context.Message.UserId,
            context.CancellationToken);

    public Task Consume(ConsumeContext<RefundSucceeded> context) =>
        planner.PlanRefundOutcome(context.Message.EventId, WebhookEventTypes.RefundSucceeded, context.Message.RefundId, context.Message.UserId,
            context.CancellationToken);

    public Task Consume(ConsumeContext<RefundFailed> context) =>
        planner.PlanRefundOutcome(context.Message.EventId, WebhookEventTypes.RefundFailed, context.Message.RefundId, context.Message.UserId,
            context.CancellationToken);
}
