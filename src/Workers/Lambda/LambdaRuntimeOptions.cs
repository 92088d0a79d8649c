using System.ComponentModel.DataAnnotations;

namespace Payments.Workers.Lambda;

/// <summary>The worker's Lambda mode (<see cref="LambdaWorker"/>).</summary>
public sealed class LambdaRuntimeOptions
{
    public const string Section = "Payments:Lambda";

    /// <summary>
    /// How long before the invocation's deadline the batch is cancelled. Records not finished by then are reported
    /// in <c>batchItemFailures</c> (Lambda redelivers them); the answer is posted at the latest half this margin
    /// before the deadline, so Lambda never kills the function mid-batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:01:00")]
    public TimeSpan StopBeforeDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Deliver the outbox rows the batch wrote before answering: once the answer is posted Lambda may freeze the
    /// process, background delivery included, until the next invocation.
    /// </summary>
    public bool FlushOutboxBeforeResponse { get; set; } = true;
}
