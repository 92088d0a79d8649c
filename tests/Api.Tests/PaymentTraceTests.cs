using System.Diagnostics;
using System.Net;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Api.Tests;

/// <summary>
/// All-in-one (in-memory transport): a payment's life is one trace, from <c>POST /payments</c> through the outbox to the
/// saga's terminal transition, recorded by an in-memory exporter added to the host's real OpenTelemetry registration.
/// </summary>
public class PaymentTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_payment_is_one_trace_from_the_request_through_every_outbox_hop_to_the_terminal_transition()
    {
        var spans = new RecordedSpans();
        await using var api = await ApiFactory.Start(services: s => s.RecordSpans(spans));
        var user = Guid.NewGuid();

        var response = await PaymentRequests.Post(api.ClientFor(user), PaymentRequests.Body(user), "traced-1");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var paymentId = (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();

        var terminal = await PaymentSpans.WaitForTerminalTransition(spans, paymentId);
        var path = await PaymentSpans.WaitForPath(spans, terminal);
        output.WriteLine(TraceTree.Describe(path));

        Assert.Equal(
        [
            "POST /payments/",
            "outbox send", OutboxProcess, "urn:message:Payments.Contracts:PaymentRequested send", "payment-state receive", "payment-state process",
            "outbox send", OutboxProcess, "charge-payment send", "charge-payment receive", "charge-payment process",
            "outbox send", OutboxProcess, "urn:message:Payments.Contracts:PaymentCharged send", "payment-state receive", "payment-state process",
        ], path.Select(s => s.DisplayName));
        Assert.Equal(ActivityKind.Server, path[0].Kind);
        Assert.Equal(default, path[0].ParentSpanId);
    }

    [Fact]
    public async Task SQL_inside_a_request_is_traced_and_the_background_polls_start_no_trace_of_their_own()
    {
        var spans = new RecordedSpans();
        await using var api = await ApiFactory.Start(services: s => s.RecordSpans(spans));
        var user = Guid.NewGuid();

        var response = await PaymentRequests.Post(api.ClientFor(user), PaymentRequests.Body(user), "traced-sql");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        // By the time the payment is terminal, the outbox delivery has polled many times.
        var terminal = await PaymentSpans.WaitForTerminalTransition(spans, (await PaymentRequests.Json(response)).GetProperty("id").GetGuid());
        var request = (await PaymentSpans.WaitForPath(spans, terminal))[0];

        var recorded = spans.Snapshot();
        Assert.Contains(recorded, s => s.Source.Name == "Npgsql" && s.ParentSpanId == request.SpanId);
        var untracedCalls = recorded.Where(s => s.ParentSpanId == default && s.Kind == ActivityKind.Client).ToList();
        Assert.True(untracedCalls.Count == 0, $"client calls outside any trace were recorded: {TraceTree.Describe(untracedCalls.Take(5))}");
    }

    const string OutboxProcess = "outbox process";
}
