using MassTransit;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.Sagas;

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
}
