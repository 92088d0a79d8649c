using MassTransit;
using Microsoft.Extensions.Logging;
using Payments.Contracts;

namespace PaymentEventsConsumer;

public sealed partial class PaymentSucceededConsumer(IProcessedEvents processed, PaymentTally tally, ILogger<PaymentSucceededConsumer> logger)
    : IConsumer<PaymentSucceeded>
{
    public async Task Consume(ConsumeContext<PaymentSucceeded> context)
    {
        var e = context.Message;
        if (!await processed.TryRecord(e.EventId, context.CancellationToken))
        {
            LogDuplicate(logger, e.EventId, e.PaymentId);
            return;
        }
        LogSucceeded(logger, e.EventId, e.PaymentId, e.Amount, e.Currency, tally.Succeeded(e.Currency, e.Amount));
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "PaymentSucceeded {EventId}: payment {PaymentId} {Amount} {Currency}; tally {Tally}")]
    static partial void LogSucceeded(ILogger logger, Guid eventId, Guid paymentId, long amount, string currency, CurrencyTally tally);

    [LoggerMessage(Level = LogLevel.Information, Message = "PaymentSucceeded {EventId}: payment {PaymentId}, a duplicate, ignored")]
    static partial void LogDuplicate(ILogger logger, Guid eventId, Guid paymentId);
}
