using System.Diagnostics;
using System.Net;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Aws.Tests;

/// <summary>
/// The distributed mode (API and worker hosts over the SQS/SNS emulator, outcomes to a loopback EventBridge): a payment's
/// life is one trace across every SNS/SQS hop, recorded by in-memory exporters added to both hosts' real registrations.
/// </summary>
public class DistributedTraceTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly RecordedSpans _spans = new();
    DistributedHosts _hosts = null!;
    OutcomeForwardingFakeEventBridge _eventBridge = null!;

    public async Task InitializeAsync()
    {
        var database = await TestPostgres.CreateDatabase();
        _eventBridge = await OutcomeForwardingFakeEventBridge.Start();
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Payments:EventBridge:BusName"] = "payments-traced";
        settings["Payments:EventBridge:ServiceUrl"] = _eventBridge.Url.ToString();
        _hosts = await DistributedHosts.Start(database, settings, s => s.RecordSpans(_spans));
    }

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        await _eventBridge.DisposeAsync();
    }

    [Fact]
    public async Task One_payment_is_one_trace_across_SNS_and_SQS_from_the_request_to_the_terminal_transition_and_the_PutEvents()
    {
        var user = Guid.NewGuid();
        var response = await PaymentRequests.Post(_hosts.Api.ClientFor(user), PaymentRequests.Body(user), "traced-distributed");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var paymentId = (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();

        var terminal = await PaymentSpans.WaitForTerminalTransition(_spans, paymentId);
        var toTerminal = await PaymentSpans.WaitForPath(_spans, terminal);
        output.WriteLine(TraceTree.Describe(toTerminal));

        Assert.Equal(
        [
            "POST /payments/",
            "outbox send", "outbox process", "payment-state receive", "payment-state process",
            "outbox send", "outbox process", "charge-payment receive", "charge-payment process",
            "outbox send", "outbox process", "payment-state receive", "payment-state process",
        ], toTerminal.Select(s => s.DisplayName));
        Assert.Equal(ActivityKind.Server, toTerminal[0].Kind);
        Assert.Equal(default, toTerminal[0].ParentSpanId);

        Activity? put = null;
        await Sql.WaitUntil(() => Task.FromResult((put = _spans.Snapshot().FirstOrDefault(s => s.DisplayName == "PutEvents" && s.TraceId == terminal.TraceId))
                                                  is not null), TimeSpan.FromSeconds(30), "the PutEvents span in the payment's trace");
        var toPut = await PaymentSpans.WaitForPath(_spans, put!);
        output.WriteLine(TraceTree.Describe(toPut.Skip(toTerminal.Count)));
        // The outcome leaves after the terminal transition, under it.
        Assert.Equal(toTerminal, toPut.Take(toTerminal.Count));
        Assert.Equal(["outbox send", "outbox process", "forward-outcomes receive", "forward-outcomes process", "PutEvents"],
            toPut.Skip(toTerminal.Count).Select(s => s.DisplayName));
    }
}
