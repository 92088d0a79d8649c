using MassTransit;
using Payments.Contracts;
using Payments.Sagas;

namespace Payments.Messaging;

/// <summary>Sets every payment message's CorrelationId to its payment id, for tracing and log scopes.</summary>
static class PaymentCorrelation
{
    public static void Configure()
    {
        MessageCorrelation.UseCorrelationId<PaymentRequested>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<ChargePayment>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<PaymentCharged>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<PaymentDeclined>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<PaymentChargeFailed>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<PaymentSucceeded>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<PaymentFailed>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<ChargeTimeoutExpired>(x => x.PaymentId);
        MessageCorrelation.UseCorrelationId<ChargeRetryDue>(x => x.PaymentId);
    }
}
