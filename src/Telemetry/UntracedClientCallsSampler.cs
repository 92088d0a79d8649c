using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Payments.Telemetry;

/// <summary>
/// The sampler for spans without a parent: a client call (SQL, HTTP) made outside any trace is not recorded. Those are
/// the background loops' polls (the outbox delivery's claims, SQS long polls, recovery scans), which would otherwise
/// start a trace of one span every second per loop. Everything that starts a trace of its own (a request, a message
/// received without trace context, a message published by a background job) is recorded. Spans with a parent follow it.
/// </summary>
public sealed class UntracedClientCallsSampler : Sampler
{
    public static Sampler ParentBased() => new ParentBasedSampler(new UntracedClientCallsSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? new SamplingResult(SamplingDecision.Drop) : new SamplingResult(SamplingDecision.RecordAndSample);
}
