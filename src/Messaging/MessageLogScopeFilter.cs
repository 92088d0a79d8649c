using MassTransit;
using Microsoft.Extensions.Logging;

namespace Payments.Messaging;

/// <summary>Every log line written while a message is consumed carries its payment (correlation) and conversation ids.</summary>
public sealed class MessageLogScopeFilter<T>(ILogger<MessageLogScopeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        using var scope = MessageScope(logger, context.CorrelationId, context.ConversationId, context.MessageId);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("logScope");

    static readonly Func<ILogger, Guid?, Guid?, Guid?, IDisposable?> MessageScope =
        LoggerMessage.DefineScope<Guid?, Guid?, Guid?>("PaymentId:{PaymentId} ConversationId:{ConversationId} MessageId:{MessageId}");
}
