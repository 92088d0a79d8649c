using System.Diagnostics;
using System.Net;
using MassTransit.Logging;
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

    const string OutboxProcess = "outbox process";
}
