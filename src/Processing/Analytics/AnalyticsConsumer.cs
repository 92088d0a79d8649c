using MassTransit;
using Payments.Contracts;

namespace Payments.Processing.Analytics;

/// <summary>
/// Keeps the facts the daily analytics are computed from: one row per finished payment and per finished refund, written in
/// the inbox transaction (docs/analytics.md). The inbox drops a redelivered message; the row's key, the payment or refund
/// id, drops a re-published event.
/// </summary>
public sealed class AnalyticsConsumer(IPaymentOutcomeRecorder recorder)
    : IConsumer<PaymentSucceeded>, IConsumer<PaymentFailed>, IConsumer<RefundSucceeded>, IConsumer<RefundFailed>
{
    public Task Consume(ConsumeContext<PaymentSucceeded> context) =>
        recorder.Record(context.Message.PaymentId, context.Message.UserId, PaymentStatus.Success, context.Message.Amount,
            context.Message.Currency, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<PaymentFailed> context) =>
        recorder.Record(context.Message.PaymentId, context.Message.UserId, PaymentStatus.Failed, context.Message.Amount,
            context.Message.Currency, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<RefundSucceeded> context) =>
        recorder.RecordRefund(context.Message.RefundId, context.Message.PaymentId, context.Message.UserId, RefundStatus.Succeeded,
            context.Message.Amount, context.Message.Currency, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<RefundFailed> context) =>
        recorder.RecordRefund(context.Message.RefundId, context.Message.PaymentId, context.Message.UserId, RefundStatus.Failed,
            context.Message.Amount, context.Message.Currency, context.Message.CompletedAt, context.CancellationToken);
}
