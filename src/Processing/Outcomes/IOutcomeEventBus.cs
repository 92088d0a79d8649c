namespace Payments.Processing.Outcomes;

/// <summary>An outcome as other systems receive it: who sent it, what kind it is, the event as JSON, and when it happened.</summary>
public sealed record OutcomeEvent(string Source, string DetailType, string Detail, DateTimeOffset Time);

/// <summary>
/// Where outcomes are forwarded for other systems (on AWS an EventBridge bus). Returns the bus's id for the event; throws
/// when the event was not accepted, with an <see cref="ITransientFailure"/> exception when trying again may help.
/// </summary>
public interface IOutcomeEventBus
{
    Task<string> Put(OutcomeEvent outcome, CancellationToken cancellationToken);
}
