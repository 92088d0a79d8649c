namespace Payments.Aws.EventBridge;

/// <param name="Detail">The event body, a JSON object as a string.</param>
/// <param name="Time">Null lets EventBridge stamp the time it received the event.</param>
public sealed record EventBridgeEntry(string Source, string DetailType, string Detail, DateTimeOffset? Time = null);
