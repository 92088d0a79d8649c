using Payments.Processing;

namespace Payments.Aws.EventBridge;

/// <param name="Index">Position of the entry in the list given to PutEvents.</param>
public sealed record EventBridgeFailedEntry(int Index, EventBridgeEntry Entry, string ErrorCode, string ErrorMessage);

/// <summary>
/// PutEvents answered 200 but rejected some entries. The other entries were accepted, so a retry should resend
/// only <see cref="FailedEntries"/>.
/// </summary>
public sealed class EventBridgePartialFailureException(IReadOnlyList<EventBridgeFailedEntry> failedEntries)
    : Exception($"EventBridge rejected {failedEntries.Count} event(s): " + string.Join("; ",
        failedEntries.Select(f => $"#{f.Index} {f.Entry.Source}/{f.Entry.DetailType}: {f.ErrorCode} {f.ErrorMessage}"))), ITransientFailure
{
    /// <summary>Rejected entries are worth another try: the accepted ones are not sent again.</summary>
    public bool IsTransient => true;

    public IReadOnlyList<EventBridgeFailedEntry> FailedEntries { get; } = failedEntries;
}
