using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>The Lambda SQS entry point dispatches each record and reports only the failed ones.</summary>
public class LambdaBatchTests
{
    [Fact]
    public async Task One_failing_record_out_of_three_is_reported_and_the_other_two_are_processed()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Payments:Outbox:DeliveryEnabled"] = "false"; // keep the envelopes in the outbox to build the event from
        using var worker = await AwsHost.StartWorker(settings);

        var payments = new[] { Guid.NewGuid(), Guid.NewGuid() };
        foreach (var id in payments)
        {
            await sql.Execute($"""
                INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
                VALUES ('{id}', gen_random_uuid(), 900, 'USD', 'PENDING', now(), now())
                """);
            await AwsHost.PublishThroughOutbox(worker, new PaymentRequested(id, Guid.NewGuid(), 900, "USD", null, DateTimeOffset.UtcNow));
        }
        var envelopes = await sql.Query("SELECT body FROM outbox_messages ORDER BY sequence_number", r => r.GetString(0));

        var queueArn = $"arn:aws:sqs:us-east-1:000000000000:{settings["Messaging:AmazonSqs:EntityPrefix"]}{EndpointNames.PaymentSaga}";
        var records = new JsonArray(
            SqsEvents.Record("m-1", envelopes[0], queueArn),
            SqsEvents.Record("m-2", "{ this is not an envelope", queueArn),
            SqsEvents.Record("m-3", envelopes[1], queueArn));
        var sqsEvent = new JsonObject { ["Records"] = records }.ToJsonString();

        var response = await worker.Services.GetRequiredService<SqsBatchHandler>().Handle(sqsEvent, CancellationToken.None);

        var failures = JsonNode.Parse(response)!["batchItemFailures"]!.AsArray().Select(x => x!["itemIdentifier"]!.GetValue<string>());
        Assert.Equal(["m-2"], failures);
        foreach (var id in payments)
            Assert.Equal(1, await sql.Count("payment_sagas", $"correlation_id = '{id}'"));
        await worker.StopAsync();
    }

    [Fact]
    public async Task A_malformed_event_is_an_error_not_an_empty_success()
    {
        var database = await TestPostgres.CreateDatabase();
        using var worker = await AwsHost.StartWorker(AwsHost.Settings(database, AwsHost.NewPrefix()));
        var handler = worker.Services.GetRequiredService<SqsBatchHandler>();

        await Assert.ThrowsAnyAsync<Exception>(() => handler.Handle("{\"not\":\"sqs\"}", CancellationToken.None));
        await Assert.ThrowsAnyAsync<JsonException>(() => handler.Handle("not json", CancellationToken.None));
        await worker.StopAsync();
    }

}
