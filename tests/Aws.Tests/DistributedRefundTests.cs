using System.Net;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Processing.Gateway;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// Refunds in the distributed mode: the API's outbox publishes RefundRequested to its SNS topic, the refund-state queue's
/// subscription takes it to the worker's saga, which sends RefundCharge to refund-charge, whose answer comes back through
/// its topic; every queue and subscription provisioned from the endpoint list.
/// </summary>
public class DistributedRefundTests : IAsyncLifetime
{
    string _database = null!;
    DistributedHosts _hosts = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabase();
        _hosts = await DistributedHosts.Start(_database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Payments"] = _database,
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
            ["Messaging:AmazonSqs:AutoProvision"] = "true",
            ["Messaging:AmazonSqs:EntityPrefix"] = $"t{Guid.NewGuid():N}"[..9] + "-",
            ["Messaging:AmazonSqs:WaitTimeSeconds"] = "1",
            ["Payments:FakeGateway:Latency"] = "00:00:00.001",
            ["Payments:Outbox:PollInterval"] = "00:00:00.200",
        });
    }

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task A_refund_crosses_SNS_and_SQS_to_the_refund_saga_and_the_gateway_and_succeeds()
    {
        var user = Guid.NewGuid();
        var created = await PaymentRequests.Post(_hosts.Api.ClientFor(user), PaymentRequests.Body(user, 5000), "dist-refund");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var paymentId = (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
        var sql = _hosts.Api.Sql;
        await Sql.WaitUntil(async () => await sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(60), "the payment to succeed");

        var refundId = await CreateRefund(paymentId, user, 2000);

        await Sql.WaitUntil(async () => await sql.Count("refunds", $"id = '{refundId}' AND status = 'SUCCEEDED'") == 1,
            TimeSpan.FromSeconds(60), "the refund to succeed");
        Assert.Equal(1, await sql.Count("payments", $"id = '{paymentId}' AND amount_refunded = 2000 AND refund_reserved = 2000"));
        var refunded = Assert.Single(_hosts.Worker.Services.GetRequiredService<ChargeLedger>().RefundEntries);
        Assert.Equal(RefundCharge.IdempotencyKeyFor(refundId), refunded.Refund.IdempotencyKey);
        Assert.Equal(1, refunded.Requests);
    }

    /// <summary>As the API does, in its process and one transaction: reserve, insert PENDING, publish through the outbox.</summary>
    async Task<Guid> CreateRefund(Guid paymentId, Guid userId, long amount)
    {
        var id = NewId.NextGuid();
        await using var scope = _hosts.Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync(
            $"""
             UPDATE payments SET refund_reserved = refund_reserved + {amount} WHERE id = {paymentId};
             INSERT INTO refunds (id, payment_id, user_id, amount, currency, status, created_at, updated_at)
             VALUES ({id}, {paymentId}, {userId}, {amount}, 'USD', 'PENDING', now(), now());
             """);
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
            .Publish(new RefundRequested(id, paymentId, userId, amount, "USD", null, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return id;
    }
}
