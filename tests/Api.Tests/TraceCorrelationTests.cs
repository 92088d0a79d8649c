using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.TestSupport;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests;

/// <summary>What ties a problem answer and a log line to a trace: the W3C trace id, and the span ids on every log line.</summary>
public class TraceCorrelationTests
{
    [Fact]
    public async Task A_problem_answer_carries_the_requests_W3C_trace_id()
    {
        await using var api = await ApiFactory.Start();
        var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = new StringContent("user_id=1", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "trace-problem");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        var response = await api.ClientFor(Guid.NewGuid()).SendAsync(request);

        var problem = await ProblemAssertions.AssertProblem(response, HttpStatusCode.BadRequest, T.MalformedJson);
        Assert.Equal(traceId, problem.GetProperty("trace_id").GetString());
    }

    [Fact]
    public async Task Every_log_line_inside_the_request_and_the_consumers_carries_the_payments_trace_and_its_span()
    {
        var spans = new RecordedSpans();
        var logs = new LogsWithScopes();
        await using var api = await ApiFactory.Start(new Dictionary<string, string?>
        {
            // Every charge attempt fails (a warning logged by the gateway consumer) until the saga gives up.
            ["Payments:FakeGateway:TransientFailureRate"] = "1",
            ["Payments:Saga:MaxAttempts"] = "2",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        }, s => s.RecordSpans(spans).AddSingleton<ILoggerProvider>(logs));
        var user = Guid.NewGuid();

        var response = await PaymentRequests.Post(api.ClientFor(user), PaymentRequests.Body(user), "traced-logs");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var paymentId = (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();
        var terminal = await PaymentSpans.WaitForTerminalTransition(spans, paymentId);
        await PaymentSpans.WaitForPath(spans, terminal);
        var trace = spans.Snapshot().Where(s => s.TraceId == terminal.TraceId).ToDictionary(s => s.SpanId.ToString());

        var request = Assert.Single(logs.Entries, e => e.Message.StartsWith("Request starting", StringComparison.Ordinal) && e.Message.Contains("/payments"));
        var consumers = logs.Entries.Where(e => e.Message.StartsWith("Charge attempt", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, consumers.Count);
        foreach (var line in consumers.Prepend(request))
        {
            Assert.True(line.Scope.TryGetValue("TraceId", out var traceId) && traceId == terminal.TraceId.ToString(),
                $"'{line.Message}' carries trace {traceId ?? "(none)"}, not the payment's {terminal.TraceId}");
            Assert.True(line.Scope.TryGetValue("SpanId", out var spanId) && spanId is not null && trace.ContainsKey(spanId),
                $"'{line.Message}' carries span {spanId ?? "(none)"}, which is not a span of the payment's trace");
        }
        Assert.Equal("POST /payments/", trace[request.Scope["SpanId"]!].DisplayName);
        Assert.All(consumers, c => Assert.Equal("charge-payment process", trace[c.Scope["SpanId"]!].DisplayName));
    }
}
