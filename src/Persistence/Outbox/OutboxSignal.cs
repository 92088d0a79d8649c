using Payments.Processing;

namespace Payments.Persistence.Outbox;

/// <summary>Wakes the delivery service when a transaction committed new outbox rows, so delivery does not wait for the next poll.</summary>
public sealed class OutboxSignal : WakeSignal;
