using MassTransit;
using Payments.Contracts;
using Payments.Processing.Charging;
using Payments.Processing.Outcomes;
using Payments.Processing.Refunds;
using Payments.Sagas;
using static Payments.Processing.Endpoints.ConsumedMessage;

namespace Payments.Processing.Endpoints;

/// <summary>The queues payments are processed from, each with the one consumer or saga behind it and every message it takes.</summary>
public static class ProcessingEndpoints
{
    public static MessageEndpoint PaymentSaga { get; } =
        new(EndpointNames.PaymentSaga, f => f.CreateSagaReceiver<PaymentState>(EndpointNames.PaymentSaga),
        [
            Published<PaymentRequested>(m => m.PaymentId),
            Published<PaymentCharged>(m => m.PaymentId),
            Published<PaymentDeclined>(m => m.PaymentId),
            Published<PaymentChargeFailed>(m => m.PaymentId),
            Published<ChargeNotFound>(m => m.PaymentId),
            Sent<ChargeTimeoutExpired>(m => m.PaymentId),
            Sent<ChargeRetryDue>(m => m.PaymentId),
        ]);

    public static MessageEndpoint ChargePayment { get; } =
        new(EndpointNames.ChargePayment, f => f.CreateConsumerReceiver<ChargePaymentConsumer>(EndpointNames.ChargePayment),
            [Sent<Contracts.ChargePayment>(m => m.PaymentId)]);

    public static MessageEndpoint ReconcileCharge { get; } =
        new(EndpointNames.ReconcileCharge, f => f.CreateConsumerReceiver<ReconcileChargeConsumer>(EndpointNames.ReconcileCharge),
            [Sent<Contracts.ReconcileCharge>(m => m.PaymentId)]);

    /// <summary>The refund saga; its messages carry the refund id as their correlation id.</summary>
    public static MessageEndpoint RefundSaga { get; } =
        new(EndpointNames.RefundSaga, f => f.CreateSagaReceiver<RefundState>(EndpointNames.RefundSaga),
        [
            Published<RefundRequested>(m => m.RefundId),
            Published<RefundApproved>(m => m.RefundId),
            Published<RefundDeclined>(m => m.RefundId),
            Published<RefundChargeFailed>(m => m.RefundId),
            Published<RefundNotFound>(m => m.RefundId),
            Sent<RefundTimeoutExpired>(m => m.RefundId),
            Sent<RefundRetryDue>(m => m.RefundId),
        ]);

    public static MessageEndpoint RefundCharge { get; } =
        new(EndpointNames.RefundCharge, f => f.CreateConsumerReceiver<RefundChargeConsumer>(EndpointNames.RefundCharge),
            [Sent<Contracts.RefundCharge>(m => m.RefundId)]);

    public static MessageEndpoint ReconcileRefund { get; } =
        new(EndpointNames.ReconcileRefund, f => f.CreateConsumerReceiver<ReconcileRefundConsumer>(EndpointNames.ReconcileRefund),
            [Sent<Contracts.ReconcileRefund>(m => m.RefundId)]);

    /// <summary>
    /// Every payment and refund outcome: what the forwarding endpoint takes. Nothing else here consumes them: the analytics
    /// fact and the webhooks are written by the transaction that finishes the payment or refund.
    /// </summary>
    static IReadOnlyList<ConsumedMessage> OutcomeEvents =>
    [
        Published<PaymentSucceeded>(m => m.PaymentId), Published<PaymentFailed>(m => m.PaymentId),
        Published<RefundSucceeded>(m => m.PaymentId), Published<RefundFailed>(m => m.PaymentId),
    ];

    /// <summary>
    /// Optional, so not in <see cref="Always"/>: exists only while outcome forwarding is configured
    /// (<see cref="ProcessingRegistration.AddPaymentProcessing(IBusRegistrationConfigurator, bool)"/>).
    /// </summary>
    public static MessageEndpoint ForwardOutcomes { get; } =
        new(OutcomeForwarderDefinition.QueueName, f => f.CreateConsumerReceiver<OutcomeForwarder>(OutcomeForwarderDefinition.QueueName),
            OutcomeEvents);

    /// <summary>The endpoints every processing host has.</summary>
    public static IReadOnlyList<MessageEndpoint> Always { get; } =
        [PaymentSaga, ChargePayment, ReconcileCharge, RefundSaga, RefundCharge, ReconcileRefund];

    /// <summary>Every endpoint that can exist: for provisioning, dead-letter tooling and the Terraform names check.</summary>
    public static IReadOnlyList<MessageEndpoint> All { get; } = [.. Always, ForwardOutcomes];
}
