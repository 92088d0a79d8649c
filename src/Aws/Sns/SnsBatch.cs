namespace Payments.Aws.Sns;

/// <summary>One message of a <see cref="SnsClient.PublishBatch"/> call; <paramref name="Id"/> is unique within the call.</summary>
public sealed record SnsBatchEntry(string Id, string Message, IReadOnlyList<KeyValuePair<string, string>> StringAttributes)
{
    /// <summary>What SNS counts against a call's total size: the body and every attribute's name, type and value.</summary>
    public int Bytes => System.Text.Encoding.UTF8.GetByteCount(Message) +
                        StringAttributes.Sum(a => System.Text.Encoding.UTF8.GetByteCount(a.Key) + "String".Length +
                                                  System.Text.Encoding.UTF8.GetByteCount(a.Value));
}

/// <summary>An entry SNS did not publish, with its reason; the rest of the call may have succeeded.</summary>
public sealed record SnsBatchFailure(string Id, string Code, string Message, bool SenderFault);

/// <summary>The ids SNS published and the entries it refused.</summary>
public sealed record SnsBatchResult(IReadOnlyList<string> Successful, IReadOnlyList<SnsBatchFailure> Failed);
