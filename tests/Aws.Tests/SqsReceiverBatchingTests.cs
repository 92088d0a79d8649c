using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>The worker's receivers delete and extend the messages they consume with SQS's batch calls (over the emulator).</summary>
public sealed class SqsReceiverBatchingTests
{
    [Fact]
    public async Task Consumed_messages_are_deleted_with_DeleteMessageBatch_never_one_by_one()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        using var worker = await AwsHost.StartWorker(AwsHost.Settings(database, AwsHost.NewPrefix()));
        var calls = Record(worker.Services.GetRequiredService<IAmazonSQS>());

        var payments = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in payments)
            await Request(worker, sql, id);

        await Sql.WaitUntil(async () => await sql.Count("payments", "status = 'SUCCESS'") == payments.Count, TimeSpan.FromSeconds(60),
            "every payment to succeed");
        await Sql.WaitUntil(() => Task.FromResult(calls.DeletedEntries >= 2 * payments.Count), TimeSpan.FromSeconds(30),
            "the messages of every payment to be deleted");
        Assert.Equal(0, calls.Count<DeleteMessageRequest>());
        await worker.StopAsync();
    }

    [Fact]
    public async Task A_message_consumed_for_longer_than_the_visibility_timeout_is_kept_invisible_with_ChangeMessageVisibilityBatch()
    {
        var database = await TestPostgres.CreateDatabase();
        var sql = new Sql(database);
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:02";
        settings["Payments:FakeGateway:Latency"] = "00:00:05"; // the charge outlasts two visibility timeouts
        using var worker = await AwsHost.StartWorker(settings);
        var calls = Record(worker.Services.GetRequiredService<IAmazonSQS>());
        var payment = Guid.NewGuid();

        await Request(worker, sql, payment);

        await Sql.WaitUntil(async () => await sql.Count("payments", $"id = '{payment}' AND status = 'SUCCESS'") == 1, TimeSpan.FromSeconds(60),
            "the payment to succeed");
        Assert.Empty(calls.ReceivedMessageIds.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.True(calls.Count<ChangeMessageVisibilityBatchRequest>() > 0, "no ChangeMessageVisibilityBatch call");
        Assert.Equal(0, calls.Count<ChangeMessageVisibilityRequest>());
        await worker.StopAsync();
    }

    static async Task Request(Microsoft.Extensions.Hosting.IHost worker, Sql sql, Guid payment)
    {
        await sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{payment}', gen_random_uuid(), 900, 'USD', 'PENDING', now(), now())
            """);
        await AwsHost.PublishThroughOutbox(worker, new PaymentRequested(payment, Guid.NewGuid(), 900, "USD", null, DateTimeOffset.UtcNow));
    }

    static SqsCalls Record(IAmazonSQS sqs)
    {
        var calls = new SqsCalls();
        var client = (AmazonServiceClient)sqs;
        client.BeforeRequestEvent += (_, e) => calls.Requested(((WebServiceRequestEventArgs)e).Request);
        client.AfterResponseEvent += (_, e) => calls.Answered(((WebServiceResponseEventArgs)e).Response);
        return calls;
    }

    sealed class SqsCalls
    {
        readonly ConcurrentQueue<AmazonWebServiceRequest> _requests = new();
        readonly ConcurrentQueue<string> _received = new();
        int _deletedEntries;

        public int DeletedEntries => Volatile.Read(ref _deletedEntries);
        public IReadOnlyCollection<string> ReceivedMessageIds => _received;

        public int Count<T>() => _requests.OfType<T>().Count();

        public void Requested(AmazonWebServiceRequest request) => _requests.Enqueue(request);

        public void Answered(AmazonWebServiceResponse response)
        {
            if (response is DeleteMessageBatchResponse deleted)
                Interlocked.Add(ref _deletedEntries, deleted.Successful?.Count ?? 0);
            if (response is ReceiveMessageResponse received)
                foreach (var message in received.Messages ?? [])
                    _received.Enqueue(message.MessageId);
        }
    }
}
