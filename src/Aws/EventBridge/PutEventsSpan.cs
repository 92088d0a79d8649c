using System.Diagnostics;
using Payments.Processing.Telemetry;

namespace Payments.Aws.EventBridge;

/// <summary>
/// The <c>PutEvents</c> span: one per call, a child of the span that forwards the outcome (its consumer's), with the
/// call's HTTP span(s) under it. Failed when the call fails or EventBridge rejects any entry.
/// </summary>
static class PutEventsSpan
{
    public const string Name = "PutEvents";

    public static Activity? Start(int entries)
    {
        var span = PaymentsActivitySource.Source.StartActivity(Name, ActivityKind.Client);
        span?.SetTag("rpc.system", "aws-api");
        span?.SetTag("rpc.service", "EventBridge");
        span?.SetTag("rpc.method", Name);
        span?.SetTag("aws.eventbridge.entries", entries);
        return span;
    }

    public static void Failed(Activity? span, string reason) => span?.SetStatus(ActivityStatusCode.Error, reason);
}
