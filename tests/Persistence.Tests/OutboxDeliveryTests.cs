using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Payments.Persistence.Outbox;
using Payments.Outbox;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>The outbox hands every committed message to the transport at least once, and the inbox makes that exactly-once.</summary>
public class OutboxDeliveryTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync()
    {
        _sql = new Sql(await TestPostgres.CreateDatabase());
        await _sql.Execute(TestPingConsumer.CreateTable);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static Dictionary<string, string?> ManualDelivery => new() { ["Payments:Outbox:DeliveryEnabled"] = "false" };

    [Fact]
    public async Task Rolled_back_transaction_leaves_no_message()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(), ManualDelivery);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await publish.Publish(new TestPing(Guid.NewGuid()));
            await db.SaveChangesAsync();
            Assert.Equal(1, await CountInTransaction(db));
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await _sql.Count("outbox_messages"));
        await host.StopAsync();
    }

    static async Task<long> CountInTransaction(PaymentsDbContext db) =>
        await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.LongCountAsync(db.OutboxMessages);

    /// <summary>With a durable transport (a broker) a row is deleted once sent; the in-memory bus stands in for one here.</summary>
    [Fact]
    public async Task A_crash_between_send_and_commit_resends_and_the_inbox_drops_the_duplicates()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(), ManualDelivery,
            services => services.AddSingleton<IOutboxTransport>(sp => new AsIfDurable(ActivatorUtilities.CreateInstance<BusOutboxTransport>(sp))));
        var received = new ReceiveCounter();
        host.Services.GetRequiredService<IBus>().ConnectReceiveObserver(received);
        var keys = Enumerable.Range(0, 120).Select(_ => Guid.NewGuid()).ToList();
        await MessagingHost.PublishThroughOutbox(host, keys.Select(k => new TestPing(k)));
        var delivery = host.Services.GetRequiredService<OutboxDeliveryService>();

        // The batch is sent, then its removal fails: the transaction rolls back as if the process had died.
        await _sql.Execute("""
            CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'simulated crash before commit'; END $$;
            CREATE TRIGGER refuse_delete BEFORE DELETE ON outbox_messages FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
            """);
        await Assert.ThrowsAnyAsync<Exception>(() => delivery.DeliverBatch(CancellationToken.None));
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") == 100, TimeSpan.FromSeconds(20), "first batch consumed");
        Assert.Equal(120, await _sql.Count("outbox_messages"));

        await _sql.Execute("DROP TRIGGER refuse_delete ON outbox_messages");
        while ((await delivery.DeliverBatch(CancellationToken.None)).Delivered > 0)
        {
        }

        await Sql.WaitUntil(() => Task.FromResult(received.Received >= 220), TimeSpan.FromSeconds(20), "all 220 sends received");
        await Sql.WaitUntil(async () => await _sql.Count("inbox_states", "consumed IS NOT NULL") == 120, TimeSpan.FromSeconds(20), "all consumed");
        await Task.Delay(300);
        Assert.Equal(0, await _sql.Count("outbox_messages"));
        Assert.Equal(220, received.Received);
        var effects = await _sql.Query("SELECT count(*), count(DISTINCT key) FROM test_effects", r => (r.GetInt64(0), r.GetInt64(1)));
        Assert.Equal((120L, 120L), effects.Single());
        await host.StopAsync();
    }

    [Fact]
    public async Task Delivery_stopped_mid_run_and_restarted_delivers_everything_once()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(),
            MessagingHost.DeliveryHeld(new Dictionary<string, string?> { ["Payments:Outbox:BatchSize"] = "50" }));
        var first = MessagingHost.Sweep(host);

        const int total = 1500;
        await MessagingHost.PublishThroughOutbox(host, Enumerable.Range(0, total).Select(_ => new TestPing(Guid.NewGuid())));
        // Another instance's open batch holds the last 300 rows, so rows are left when this one stops however fast it
        // delivers the rest (without it, a quick run sometimes delivered all 1,500 before the stop).
        await using var otherInstance = new NpgsqlConnection(_sql.ConnectionString);
        await otherInstance.OpenAsync();
        await using var otherBatch = await otherInstance.BeginTransactionAsync();
        await using (var claim = new NpgsqlCommand(
                         "SELECT sequence_number FROM outbox_messages ORDER BY sequence_number DESC LIMIT 300 FOR UPDATE",
                         otherInstance, otherBatch))
            await claim.ExecuteNonQueryAsync();

        await first.StartAsync(CancellationToken.None);
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") >= 100, TimeSpan.FromSeconds(20), "delivery under way");
        await first.StopAsync(CancellationToken.None);
        var left = await _sql.Count("outbox_messages");
        Assert.InRange(left, 300, total - 100);

        // The other instance died without sending (its transaction rolls back); a new delivery service, as a restarted
        // process would run, delivers what both left.
        await otherBatch.RollbackAsync();
        var second = MessagingHost.Sweep(host);
        await second.StartAsync(CancellationToken.None);
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") >= total && await _sql.Count("outbox_messages") == 0,
            TimeSpan.FromSeconds(60), "everything delivered after the restart");
        await second.StopAsync(CancellationToken.None);

        var effects = await _sql.Query("SELECT count(*), count(DISTINCT key) FROM test_effects", r => (r.GetInt64(0), r.GetInt64(1)));
        Assert.Equal(((long)total, (long)total), effects.Single());
        await host.StopAsync();
    }

    [Fact]
    public async Task Delivery_backs_off_while_the_database_fails_and_recovers_by_itself()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(), MessagingHost.DeliveryHeld());
        var key = Guid.NewGuid();
        await MessagingHost.PublishThroughOutbox(host, [new TestPing(key)]);

        await _sql.Execute("ALTER TABLE outbox_messages RENAME TO outbox_messages_away");
        var delivery = MessagingHost.Sweep(host);
        await delivery.StartAsync(CancellationToken.None);
        await Task.Delay(500);
        Assert.Equal(0, await _sql.Count("test_effects"));

        await _sql.Execute("ALTER TABLE outbox_messages_away RENAME TO outbox_messages");
        await Sql.WaitUntil(async () => await _sql.Count("test_effects", $"key = '{key}'") == 1, TimeSpan.FromSeconds(10),
            "delivery to resume once the table is back");
        await delivery.StopAsync(CancellationToken.None);
        await host.StopAsync();
    }

    [Fact]
    public async Task Concurrent_redeliveries_of_one_message_are_consumed_once()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(), ManualDelivery);
        var bus = host.Services.GetRequiredService<IBus>();
        var key = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => bus.Publish(new TestPing(key), c => c.MessageId = messageId)));

        await Sql.WaitUntil(async () => await _sql.Count("inbox_states", $"message_id = '{messageId}' AND consumed IS NOT NULL") == 1,
            TimeSpan.FromSeconds(10), "the message to be consumed");
        await Task.Delay(500);
        Assert.Equal(1, await _sql.Count("test_effects", $"key = '{key}'"));
        await host.StopAsync();
    }

    sealed class AsIfDurable(IOutboxTransport inner) : IOutboxTransport
    {
        public bool Durable => true;

        public Task<OutboxSendResult> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken) => inner.Send(batch, cancellationToken);
    }
}
