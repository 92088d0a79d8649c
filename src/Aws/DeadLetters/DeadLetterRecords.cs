namespace Payments.Aws.DeadLetters;

/// <summary>The depth of a queue, as SQS reports it (approximate on AWS).</summary>
public sealed record QueueDepth(int Visible, int InFlight);

/// <summary>A message in a dead-letter queue, as an operator needs to see it.</summary>
public sealed record DeadLetter(string SqsMessageId, string? EnvelopeMessageId, int? ReceiveCount, DateTimeOffset? SentAt,
    string? MessageType, string Excerpt);

/// <summary>Which dead letters a replay moves: all (both null), the first <see cref="Count"/>, or the one with <see cref="MessageId"/>
/// (its SQS message id or its MassTransit envelope message id).</summary>
public sealed record ReplaySelection(int? Count = null, string? MessageId = null);

public enum ReplayOutcome
{
    Moved,
    WouldMove,
    Left,
    SendFailed,
    /// <summary>Re-sent, but the delete from the dead-letter queue failed: it is now in both queues (consumers dedupe by MessageId).</summary>
    CopiedNotDeleted,
}

public sealed record ReplayResult(int Moved, int WouldMove, int Left, bool Found, bool Interrupted, Exception? Failure);

/// <summary>A failure the command reports in one line, without a stack trace.</summary>
public sealed class DeadLetterException(string message) : Exception(message);
