namespace Payments.Aws.Sns;

/// <summary>
/// Splits entries into <c>PublishBatch</c> calls within SNS's limits: ten entries and 256 KiB in total per call. An entry
/// too big on its own goes alone, so that SNS refuses that entry and no other.
/// </summary>
public static class PublishBatches
{
    public const int MaxEntries = 10;
    public const int MaxBytes = 256 * 1024;

    public static IEnumerable<List<T>> Of<T>(IEnumerable<T> items, Func<T, int> bytes)
    {
        var batch = new List<T>(MaxEntries);
        var total = 0;
        foreach (var item in items)
        {
            var size = bytes(item);
            if (batch.Count == MaxEntries || (batch.Count > 0 && total + size > MaxBytes))
            {
                yield return batch;
                batch = new List<T>(MaxEntries);
                total = 0;
            }
            batch.Add(item);
            total += size;
        }
        if (batch.Count > 0)
            yield return batch;
    }
}
