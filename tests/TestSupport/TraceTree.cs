using System.Diagnostics;

namespace Payments.TestSupport;

/// <summary>One trace's spans, to walk from a span up to the trace's root by each span's parent.</summary>
public sealed class TraceTree(IReadOnlyList<Activity> spans)
{
    readonly Dictionary<ActivitySpanId, Activity> _byId = spans.ToDictionary(s => s.SpanId);

    /// <summary>The spans from the trace's root down to <paramref name="leaf"/>; throws if a parent was not exported.</summary>
    public IReadOnlyList<Activity> PathTo(Activity leaf)
    {
        var path = new List<Activity> { leaf };
        var current = leaf;
        while (current.ParentSpanId != default)
        {
            if (!_byId.TryGetValue(current.ParentSpanId, out var parent))
                throw new InvalidOperationException(
                    $"The parent {current.ParentSpanId} of '{current.DisplayName}' is not among the trace's spans:{Environment.NewLine}{Describe(path)}");
            if (parent.TraceId != current.TraceId)
                throw new InvalidOperationException($"'{current.DisplayName}' is in trace {current.TraceId}, its parent in {parent.TraceId}");
            path.Insert(0, parent);
            current = parent;
        }
        return path;
    }

    /// <summary>One line per span, root first: name, kind, duration, indented by depth.</summary>
    public static string Describe(IEnumerable<Activity> path) =>
        string.Join(Environment.NewLine, path.Select((s, depth) =>
            $"{new string(' ', Math.Min(depth, 40) * 2)}{s.DisplayName} [{s.Kind}, {s.Source.Name}] {s.Duration.TotalMilliseconds:0.0} ms span {s.SpanId} parent {s.ParentSpanId}"));
}
