using System.Collections;
using System.Diagnostics;

namespace Payments.TestSupport;

/// <summary>
/// The spans a host's tracer provider exported (OpenTelemetry's in-memory exporter writes into it). Several providers may
/// write at once, and tests read while they do: every access takes the lock.
/// </summary>
public sealed class RecordedSpans : ICollection<Activity>
{
    readonly List<Activity> _spans = [];

    /// <summary>A copy of what was exported so far, each span once (tracer providers of two hosts in one process both see it).</summary>
    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_spans)
            return _spans.DistinctBy(s => s.SpanId).ToList();
    }

    public void Add(Activity item)
    {
        lock (_spans)
            _spans.Add(item);
    }

    public void Clear()
    {
        lock (_spans)
            _spans.Clear();
    }

    public int Count
    {
        get
        {
            lock (_spans)
                return _spans.Count;
        }
    }

    public bool IsReadOnly => false;
    public bool Contains(Activity item) => Snapshot().Contains(item);
    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToList().CopyTo(array, arrayIndex);
    public bool Remove(Activity item) => throw new NotSupportedException();
    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
