using MassTransit;
using Payments.Contracts;

namespace Payments.Processing.Analytics;

/// <summary>
/// Keeps the facts the daily analytics are computed from: one row per finished payment, written in the inbox transaction
/// (docs/analytics.md). The inbox drops a redelivered message; the row's key, the payment id, drops a re-published event.
/// </summary>
public sealed class AnalyticsConsumer(IPaymentOutcomeRecorder recorder) : IConsumer<PaymentSucceeded>, IConsumer<PaymentFailed>
{
    public Task Consume(ConsumeContext<PaymentSucceeded> context) =>
        recorder.Record(context.Message.PaymentId, context.Message.UserId, PaymentStatus.Success, context.Message.Amount,
            context.Message.Currency, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<PaymentFailed> context) =>
        recorder.Record(context.Message.PaymentId, context.Message.UserId, PaymentStatus.Failed, context.Message.Amount,
            context.Message.Currency, context.Message.CompletedAt, context.CancellationToken);
}
