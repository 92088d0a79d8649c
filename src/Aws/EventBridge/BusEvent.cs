namespace Payments.Aws.EventBridge;

/// <summary>What a message body is to an endpoint that takes EventBridge events.</summary>
public abstract record BusEvent
{
    /// <summary>Not an EventBridge event: the body goes to the pipeline as it is.</summary>
    public static readonly BusEvent NotABusEvent = new Other();

    /// <summary>An event of a type the endpoint takes, as the MassTransit envelope its pipeline reads.</summary>
    public sealed record Envelope(string Body, Type MessageType, Guid EventId) : BusEvent;

    /// <summary>An event from another source, or of a type the endpoint does not take.</summary>
    public sealed record Unknown(string Source, string DetailType) : BusEvent;

    sealed record Other : BusEvent;
}
