namespace Payments.Processing.Outcomes;

/// <summary>Present in the container when the outcome forwarder is on the bus: its settings' validation looks for it.</summary>
public sealed class OutcomeForwarderRegistration;
