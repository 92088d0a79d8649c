using System.Diagnostics;
using System.Text.Json.Nodes;
using MassTransit.Logging;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>The Lambda entry point continues the sender's trace from the record's <c>messageAttributes</c>.</summary>
public class LambdaTraceTests
{
    [Fact]
    public async Task A_records_trace_attribute_parents_the_receive_span()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Payments:Outbox:DeliveryEnabled"] = "false"; // keep the envelope in the outbox to build the event from
        var spans = new RecordedSpans();
        using var worker = await AwsHost.StartWorker(settings, services: s => s.RecordSpans(spans));
        var paymentId = Guid.NewGuid();
        await sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{paymentId}', gen_random_uuid(), 900, 'USD', 'PENDING', now(), now())
            """);
        await AwsHost.PublishThroughOutbox(worker, new PaymentRequested(paymentId, Guid.NewGuid(), 900, "USD", null, DateTimeOffset.UtcNow));
        var envelope = (await sql.Query("SELECT body FROM outbox_messages", r => r.GetString(0))).Single();

        var sender = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var queueArn = $"arn:aws:sqs:us-east-1:000000000000:{settings["Messaging:AmazonSqs:EntityPrefix"]}{EndpointNames.PaymentSaga}";
        var record = SqsEvents.Record("m-1", envelope, queueArn,
            new Dictionary<string, string> { [DiagnosticHeaders.ActivityId] = $"00-{sender.TraceId}-{sender.SpanId}-01" });
        var answer = await worker.Services.GetRequiredService<SqsBatchHandler>().Handle(new JsonObject { ["Records"] = new JsonArray(record) }.ToJsonString(),
            CancellationToken.None);

        Assert.Empty(JsonNode.Parse(answer)!["batchItemFailures"]!.AsArray());
        var receive = Assert.Single(spans.Snapshot(), s => s.DisplayName == $"{EndpointNames.PaymentSaga} receive" && s.TraceId == sender.TraceId);
        Assert.Equal(sender.SpanId, receive.ParentSpanId);
        await worker.StopAsync();
    }
}
