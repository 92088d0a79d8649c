using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using Payments.Contracts;

namespace Payments.Processing.Outcomes;

/// <summary>
/// Forwards each payment and refund outcome to the outcome event bus: Source <see cref="Source"/>, DetailType the contract's name,
/// Detail the contract as JSON (camelCase) including its <c>eventId</c>, by which subscribers de-duplicate. Any failure,
/// rejected entries included, propagates, so the message is retried and never dropped; a redelivery may put the same
/// event twice, always with the same <c>eventId</c>.
/// </summary>
public sealed partial class OutcomeForwarder(IOutcomeEventBus eventBus, ILogger<OutcomeForwarder> logger)
    : IConsumer<PaymentSucceeded>, IConsumer<PaymentFailed>, IConsumer<RefundSucceeded>, IConsumer<RefundFailed>
{
    public const string Source = "payments";

    /// <summary>An outcome's <c>detail-type</c> on the bus: its contract's name, e.g. <c>PaymentSucceeded</c>.</summary>
    public static string DetailTypeOf(Type contract) => contract.Name;

    /// <summary>The bus event an outcome becomes.</summary>
    public static OutcomeEvent EventOf<T>(T outcome, DateTimeOffset completedAt) where T : class =>
        new(Source, DetailTypeOf(typeof(T)), JsonSerializer.Serialize(outcome, JsonSerializerOptions.Web), completedAt);

    public Task Consume(ConsumeContext<PaymentSucceeded> context) =>
        Forward(context.Message, context.Message.EventId, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<PaymentFailed> context) =>
        Forward(context.Message, context.Message.EventId, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<RefundSucceeded> context) =>
        Forward(context.Message, context.Message.EventId, context.Message.CompletedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<RefundFailed> context) =>
        Forward(context.Message, context.Message.EventId, context.Message.CompletedAt, context.CancellationToken);

    async Task Forward<T>(T outcome, Guid eventId, DateTimeOffset completedAt, CancellationToken cancellationToken) where T : class
    {
        var entry = EventOf(outcome, completedAt);
        var id = await eventBus.Put(entry, cancellationToken);
        LogForwarded(logger, entry.DetailType, eventId, id);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Forwarded {DetailType} {EventId} as {BusEventId}")]
    static partial void LogForwarded(ILogger logger, string detailType, Guid eventId, string busEventId);
}
