using System.Diagnostics;
using MassTransit.Logging;

namespace Payments.TestSupport;

/// <summary>Finds a payment's spans among those a test recorded.</summary>
public static class PaymentSpans
{
    /// <summary>The saga's span that moved the payment to Succeeded or Failed, once it was exported.</summary>
    public static async Task<Activity> WaitForTerminalTransition(RecordedSpans spans, Guid paymentId, TimeSpan? timeout = null)
    {
        Activity? found = null;
        await Sql.WaitUntil(() => Task.FromResult((found = TerminalTransition(spans, paymentId)) is not null), timeout ?? TimeSpan.FromSeconds(30),
            $"the span of payment {paymentId}'s terminal transition");
        return found!;
    }

    /// <summary>
    /// The path from the trace's root to <paramref name="leaf"/>, once every span on it was exported (a parent ends, and is
    /// exported, after its children). Times out with the spans of the trace that were exported.
    /// </summary>
    public static async Task<IReadOnlyList<Activity>> WaitForPath(RecordedSpans spans, Activity leaf, TimeSpan? timeout = null)
    {
        IReadOnlyList<Activity>? path = null;
        string last = "";
        try
        {
            await Sql.WaitUntil(() =>
            {
                try
                {
                    path = new TraceTree(spans.Snapshot().Where(s => s.TraceId == leaf.TraceId).ToList()).PathTo(leaf);
                    return Task.FromResult(true);
                }
                catch (InvalidOperationException e)
                {
                    last = e.Message;
                    return Task.FromResult(false);
                }
            }, timeout ?? TimeSpan.FromSeconds(30), $"every span from the root of trace {leaf.TraceId} to '{leaf.DisplayName}'");
        }
        catch (TimeoutException e)
        {
            var trace = spans.Snapshot().Where(s => s.TraceId == leaf.TraceId).OrderBy(s => s.StartTimeUtc);
            throw new TimeoutException($"{e.Message}{Environment.NewLine}{last}{Environment.NewLine}The trace's spans:{Environment.NewLine}" +
                                       TraceTree.Describe(trace), e);
        }
        return path!;
    }

    static Activity? TerminalTransition(RecordedSpans spans, Guid paymentId) =>
        spans.Snapshot().FirstOrDefault(s =>
            s.GetTagItem(DiagnosticHeaders.SagaId) as string == paymentId.ToString("D")
            && s.GetTagItem(DiagnosticHeaders.EndState) is "Succeeded" or "Failed");
}
