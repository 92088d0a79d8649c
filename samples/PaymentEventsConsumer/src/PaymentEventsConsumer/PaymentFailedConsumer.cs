using MassTransit;
using Microsoft.Extensions.Logging;
using Payments.Contracts;

namespace PaymentEventsConsumer;

public sealed partial class PaymentFailedConsumer(IProcessedEvents processed, PaymentTally tally, ILogger<PaymentFailedConsumer> logger)
    : IConsumer<PaymentFailed>
{
    public async Task Consume(ConsumeContext<PaymentFailed> context)
    {
        var e = context.Message;
        if (!await processed.TryRecord(e.EventId, context.CancellationToken))
        {
            LogDuplicate(logger, e.EventId, e.PaymentId);
            return;
        }
        LogFailed(logger, e.EventId, e.PaymentId, e.Amount, e.Currency, e.Reason, tally.Failed(e.Currency, e.Amount));
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "PaymentFailed {EventId}: payment {PaymentId} {Amount} {Currency} ({Reason}); tally {Tally}")]
    static partial void LogFailed(ILogger logger, Guid eventId, Guid paymentId, long amount, string currency, string reason, CurrencyTally tally);

    [LoggerMessage(Level = LogLevel.Information, Message = "PaymentFailed {EventId}: payment {PaymentId}, a duplicate, ignored")]
    static partial void LogDuplicate(ILogger logger, Guid eventId, Guid paymentId);
}
