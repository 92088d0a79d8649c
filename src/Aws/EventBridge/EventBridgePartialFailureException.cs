using Payments.Aws.Http;
using Payments.Processing;

namespace Payments.Aws.EventBridge;

/// <param name="Index">Position of the entry in the list given to PutEvents.</param>
public sealed record EventBridgeFailedEntry(int Index, EventBridgeEntry Entry, string ErrorCode, string ErrorMessage)
{
    /// <summary>The code for an entry the answer had no result for.</summary>
    public const string MissingResult = "MissingResult";
}

/// <summary>
/// PutEvents answered 200 but rejected some entries. The other entries were accepted, so a retry should resend
/// only <see cref="FailedEntries"/>.
/// </summary>
public sealed class EventBridgePartialFailureException(IReadOnlyList<EventBridgeFailedEntry> failedEntries)
    : Exception($"EventBridge rejected {failedEntries.Count} event(s): " + string.Join("; ",
        failedEntries.Select(f => $"#{f.Index} {f.Entry.Source}/{f.Entry.DetailType}: {f.ErrorCode} {f.ErrorMessage}"))), ITransientFailure
{
    /// <summary>
    /// Worth another try when every rejection was (throttled, failed inside EventBridge, or left without a result); the
    /// accepted entries are not sent again. A malformed or unauthorised entry would be rejected again.
    /// </summary>
    public bool IsTransient => FailedEntries.All(f => AwsErrorResponse.IsTransient(f.ErrorCode) || f.ErrorCode == EventBridgeFailedEntry.MissingResult);

    public IReadOnlyList<EventBridgeFailedEntry> FailedEntries { get; } = failedEntries;
}
