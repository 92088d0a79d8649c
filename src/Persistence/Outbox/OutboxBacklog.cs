namespace Payments.Persistence.Outbox;

/// <summary>The outbox rows waiting for delivery at one moment: how many are due (parked rows left out) and how long the oldest has waited.</summary>
public readonly record struct OutboxBacklog(long Due, TimeSpan OldestAge);
