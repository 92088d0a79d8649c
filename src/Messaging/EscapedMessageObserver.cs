using MassTransit;
using Microsoft.Extensions.Logging;
using Payments.Persistence.Outbox;

namespace Payments.Messaging;

/// <summary>
/// Under a transport adapter the in-memory bus only hosts the endpoints' pipelines: its own transport reaches nobody.
/// A message published or sent on it escaped the outbox (the singleton <c>IBus</c>, a send outside any request or
/// consumer; an outbox-bound message never reaches a transport), so it is written to the outbox in a transaction of its
/// own before the call returns, and delivered from there like every other message.
/// (A consumer's <c>Fault&lt;T&gt;</c> is not among them: it is written in the consumer's transaction, which the fault rolls
/// back; the faulted message itself stays on its queue and after its last receive lands in the dead-letter queue.)
/// </summary>
sealed partial class EscapedMessageObserver(OutboxAppender outbox, ILogger<EscapedMessageObserver> logger) : ISendObserver, IPublishObserver
{
    public Task PrePublish<T>(PublishContext<T> context)
        where T : class =>
        Capture(context);

    public Task PreSend<T>(SendContext<T> context)
        where T : class =>
        Capture(context);

    async Task Capture<T>(SendContext<T> context)
        where T : class
    {
        // A publish may be observed as a send too: one outbox row per message.
        if (context.TryGetPayload<Captured>(out _))
            return;
        context.GetOrAddPayload(() => new Captured());

        await outbox.Append(context);
        LogEscaped(logger, typeof(T).Name, context.MessageId);
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class =>
        Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class =>
        Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context)
        where T : class =>
        Task.CompletedTask;

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class =>
        Task.CompletedTask;

    sealed class Captured;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{MessageType} {MessageId} was sent around the outbox (e.g. on the singleton IBus); it was written to the outbox and is delivered from there")]
    static partial void LogEscaped(ILogger logger, string messageType, Guid? messageId);
}
