using MassTransit;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.Sagas;
using Payments.Workers.Outcomes;

namespace Payments.Workers;

/// <summary>The queues the workers consume, each with the one consumer or saga behind it and the messages it takes.</summary>
public static class WorkerEndpoints
{
    public static IReadOnlyList<SqsEndpoint> All { get; } =
    [
        new(EndpointNames.PaymentSaga, f => f.CreateSagaReceiver<PaymentState>(EndpointNames.PaymentSaga),
            [typeof(PaymentRequested), typeof(PaymentCharged), typeof(PaymentDeclined), typeof(PaymentChargeFailed), typeof(ChargeNotFound)]),
        new(EndpointNames.ChargePayment, f => f.CreateConsumerReceiver<ChargePaymentConsumer>(EndpointNames.ChargePayment), []),
        new(EndpointNames.ReconcileCharge, f => f.CreateConsumerReceiver<ReconcileChargeConsumer>(EndpointNames.ReconcileCharge), []),
    ];

    /// <summary>
    /// Optional, so not in <see cref="All"/>: joins the topology only when outcome forwarding is configured
    /// (<see cref="OutcomeForwardingRegistration.AddOutcomeForwarder"/>).
    /// </summary>
    public static SqsEndpoint ForwardOutcomes { get; } =
        new(OutcomeForwarderDefinition.QueueName, f => f.CreateConsumerReceiver<OutcomeForwarder>(OutcomeForwarderDefinition.QueueName),
            [typeof(PaymentSucceeded), typeof(PaymentFailed)]);
}
