using System.Globalization;
using System.Threading.Channels;

namespace Payments.Aws.Sqs;

/// <summary>
/// Turns one-message SQS calls on a receipt handle (delete, change visibility) into batch calls of up to ten: while one
/// call is out, the handles that arrive meanwhile wait and go together in the next. No timer: a lone handle goes at once.
/// Each caller learns whether its own entry failed; a failed call fails every entry in it.
/// </summary>
sealed class SqsReceiptBatcher(SqsReceiptBatcher.BatchCall call)
{
    const int SqsBatchLimit = 10;

    /// <summary>Sends one batch (entry ids are unique within it) and returns the reason for each entry that failed, by id.</summary>
    public delegate Task<IReadOnlyDictionary<string, string>> BatchCall(IReadOnlyList<(string Id, string ReceiptHandle)> entries);

    readonly Channel<(string ReceiptHandle, TaskCompletionSource<string?> Done)> _pending =
        Channel.CreateUnbounded<(string, TaskCompletionSource<string?>)>(new UnboundedChannelOptions { SingleReader = true });
    /// <returns>Null when SQS took the entry, else why not.</returns>
    public Task<string?> Add(string receiptHandle)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((receiptHandle, done)))
            done.SetResult("the receiver has stopped");
        return done.Task;
    }

    /// <summary>Takes no more entries; <see cref="Run"/> sends what is pending, then ends.</summary>
    public void Complete() => _pending.Writer.TryComplete();

    /// <summary>Sends the entries added, until <see cref="Complete"/>.</summary>
    public async Task Run()
    {
        var batch = new List<(string ReceiptHandle, TaskCompletionSource<string?> Done)>(SqsBatchLimit);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < SqsBatchLimit && _pending.Reader.TryRead(out var entry))
                batch.Add(entry);
            IReadOnlyDictionary<string, string> failed;
            try
            {
                failed = await call(batch.Select((e, i) => (Id(i), e.ReceiptHandle)).ToList());
            }
            catch (Exception e)
            {
                var reason = $"{e.GetType().Name}: {e.Message}";
                failed = Enumerable.Range(0, batch.Count).ToDictionary(i => Id(i), _ => reason);
            }
            for (var i = 0; i < batch.Count; i++)
                batch[i].Done.SetResult(failed.GetValueOrDefault(Id(i)));
            batch.Clear();
        }
    }

    static string Id(int index) => index.ToString(CultureInfo.InvariantCulture);
}
