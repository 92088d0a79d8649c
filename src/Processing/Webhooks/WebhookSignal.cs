namespace Payments.Processing.Webhooks;

/// <summary>Wakes the sender: deliveries were committed, re-armed, or an attempt ended and freed a slot.</summary>
public sealed class WebhookSignal : WakeSignal;
