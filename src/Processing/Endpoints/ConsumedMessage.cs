using MassTransit;

namespace Payments.Processing.Endpoints;

/// <summary>How a message reaches an endpoint's queue.</summary>
public enum Delivery
{
    /// <summary>Published: the queue subscribes to the message type's topic.</summary>
    Published,

    /// <summary>Sent to the queue by its address (commands, the saga's own timers).</summary>
    Sent,
}

/// <summary>
/// A message an endpoint consumes, and how to find the payment it belongs to (for the refund saga's messages: the refund, which
/// is that saga's correlation id and what its completion drops the scheduled messages by).
/// </summary>
public abstract class ConsumedMessage(Type type, Delivery delivery)
{
    public Type Type { get; } = type;
    public Delivery Delivery { get; } = delivery;

    public static ConsumedMessage Published<T>(Func<T, Guid> paymentId) where T : class => new Of<T>(paymentId, Delivery.Published);

    public static ConsumedMessage Sent<T>(Func<T, Guid> paymentId) where T : class => new Of<T>(paymentId, Delivery.Sent);

    /// <summary>Makes the payment id the message's CorrelationId, which log scopes and traces carry.</summary>
    public abstract void UsePaymentAsCorrelationId();

    /// <summary>Puts every message of one payment into one partition, so they queue up instead of contending for its row lock.</summary>
    public abstract void PartitionByPayment<TSaga>(ISagaConfigurator<TSaga> saga, IPartitioner partitioner) where TSaga : class, ISaga;

    public override string ToString() => $"{Type.Name} ({Delivery})";

    sealed class Of<T>(Func<T, Guid> paymentId, Delivery delivery) : ConsumedMessage(typeof(T), delivery)
        where T : class
    {
        public override void UsePaymentAsCorrelationId() => MessageCorrelation.UseCorrelationId<T>(m => paymentId(m));

        public override void PartitionByPayment<TSaga>(ISagaConfigurator<TSaga> saga, IPartitioner partitioner) =>
            saga.Message<T>(m => m.UsePartitioner(partitioner, context => paymentId(context.Message)));
    }
}
