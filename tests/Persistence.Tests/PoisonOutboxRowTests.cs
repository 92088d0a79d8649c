using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Outbox;
using Payments.Persistence.Outbox;
using Payments.Processing.Telemetry;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Persistence.Tests;

/// <summary>
/// A poison outbox row never holds up the others: its failures are counted, it is parked after MaxAttempts tries,
/// listed by <c>outbox parked</c>, and delivered once after <c>outbox retry</c> re-queues it; an outage of the whole
/// transport is waited out with the back-off and parks nothing.
/// </summary>
public class PoisonOutboxRowTests(ITestOutputHelper output) : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync()
    {
        _sql = new Sql(await TestPostgres.CreateDatabase());
        await _sql.Execute(TestPingConsumer.CreateTable);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task One_unsendable_row_among_1000_is_parked_while_the_other_999_go_out_at_once_and_after_a_retry_it_is_delivered_once()
    {
        var transport = new RefusingTransport();
        using var host = await Start(transport);
        var delivery = MessagingHost.Sweep(host);

        // The usual time, on this machine now: 1,000 rows without a poison row.
        var usual = await DeliverAll(host, Enumerable.Range(0, 1000).Select(_ => new TestPing(Guid.NewGuid())), expectedEffects: 1000);
        await _sql.Execute("TRUNCATE test_effects");

        // Written first, the poison row heads every batch: rows go out in sequence order.
        var poison = Guid.NewGuid();
        transport.Refuse(row => row.Body.Contains(poison.ToString(), StringComparison.Ordinal));
        // Before rows were parked, every batch ended in an exception and a back-off: 792 of the 999 had arrived after 15 s,
        // all of them after 84.8 s.
        var withPoison = await DeliverAll(host, new[] { new TestPing(poison) }.Concat(Enumerable.Range(0, 999).Select(_ => new TestPing(Guid.NewGuid()))),
            expectedEffects: 999);
        output.WriteLine($"1,000 rows delivered in {usual.TotalSeconds:0.00} s; 999 of 1,000 around one poison row in {withPoison.TotalSeconds:0.00} s");

        await Sql.WaitUntil(async () => await _sql.Count("outbox_messages", "parked_at IS NOT NULL") == 1, TimeSpan.FromSeconds(10), "the poison row parked");
        var (sequenceNumber, messageId, attempts, lastError) = (await _sql.Query("SELECT sequence_number, message_id, attempts, last_error FROM outbox_messages",
            r => (r.GetInt64(0), r.GetGuid(1), r.GetInt32(2), r.GetString(3)))).Single();
        Assert.Equal(10, attempts);
        Assert.Equal(RefusingTransport.Reason, lastError);

        var listed = await Command("parked");
        Assert.Equal(0, listed.Exit);
        var line = Assert.Single(listed.Output.Split('\n'), l => l.Contains(messageId.ToString(), StringComparison.Ordinal));
        Assert.Equal([$"{sequenceNumber}", $"{messageId}", "Payments.Persistence.Tests:TestPing"], line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        Assert.Contains("  10  ", line);
        Assert.EndsWith(RefusingTransport.Reason, line);

        // The cause is removed; the row goes out once it is re-queued, and only then.
        transport.Allow();
        await Task.Delay(500);
        Assert.Equal(0, await _sql.Count("test_effects", $"key = '{poison}'"));
        var retried = await Command("retry", "--id", $"{sequenceNumber}");
        Assert.Equal(0, retried.Exit);
        Assert.Contains("re-queued 1;", retried.Output);
        await Sql.WaitUntil(async () => await _sql.Count("outbox_messages") == 0, TimeSpan.FromSeconds(10), "the re-queued row delivered");
        await Sql.WaitUntil(async () => await _sql.Count("test_effects", $"key = '{poison}'") == 1, TimeSpan.FromSeconds(10), "the re-queued row consumed");
        await Task.Delay(500);
        Assert.Equal(1, await _sql.Count("test_effects", $"message_id = '{messageId}'"));
        Assert.Equal(1000, await _sql.Count("test_effects"));
        await delivery.StopAsync(CancellationToken.None);
        await host.StopAsync();

        async Task<TimeSpan> DeliverAll(IHost messaging, IEnumerable<TestPing> pings, int expectedEffects)
        {
            await delivery.StopAsync(CancellationToken.None);
            await MessagingHost.PublishThroughOutbox(messaging, pings);
            var clock = Stopwatch.StartNew();
            await delivery.StartAsync(CancellationToken.None);
            // A bound on progress, not on speed (the times are printed, and parking is asserted below): beside the other
            // test hosts of a CI run, 1,000 rows have taken ~20 s.
            await Sql.WaitUntil(async () => await _sql.Count("test_effects") == expectedEffects, TimeSpan.FromSeconds(60),
                $"{expectedEffects} sendable rows delivered");
            return clock.Elapsed;
        }
    }

    [Fact]
    public async Task A_transport_outage_shorter_than_the_parking_threshold_parks_nothing_and_everything_goes_out_after_it()
    {
        // The arithmetic of the defaults: the first refused batch is tried for the 10th time about 51 s into an outage.
        var defaults = new OutboxOptions();
        Assert.InRange(defaults.OutageBeforeParking().TotalSeconds, 51.0, 51.2);

        var transport = new RefusingTransport();
        using var host = await Start(transport);
        var delivery = MessagingHost.Sweep(host);
        await MessagingHost.PublishThroughOutbox(host, Enumerable.Range(0, 300).Select(_ => new TestPing(Guid.NewGuid())));

        // Five seconds with the transport down: tries at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s, the next at 6.3 s.
        transport.Refuse(_ => true);
        await delivery.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var mostAttempts = (await _sql.Query("SELECT max(attempts) FROM outbox_messages", r => r.GetInt32(0))).Single();
        output.WriteLine($"most attempts on a row after a 5 s outage: {mostAttempts}");
        Assert.InRange(mostAttempts, 1, 7);
        Assert.Equal(0, await _sql.Count("outbox_messages", "parked_at IS NOT NULL"));
        Assert.Equal(0, await _sql.Count("test_effects"));

        transport.Allow();
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") == 300, TimeSpan.FromSeconds(20), "everything delivered after the outage");
        Assert.Equal(0, await _sql.Count("outbox_messages"));
        Assert.Equal(300, (await _sql.Query("SELECT count(DISTINCT key) FROM test_effects", r => r.GetInt64(0))).Single());
        await delivery.StopAsync(CancellationToken.None);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_row_without_a_destination_is_parked_at_once_and_the_parked_metrics_count_it()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(),
            new Dictionary<string, string?> { ["Payments:Outbox:DeliveryEnabled"] = "false" });
        var delivery = host.Services.GetRequiredService<OutboxDeliveryService>();
        using var metrics = new HostMetrics(host.Services);
        await MessagingHost.PublishThroughOutbox(host, Enumerable.Range(0, 3).Select(_ => new TestPing(Guid.NewGuid())));
        await _sql.Execute("UPDATE outbox_messages SET destination_address = NULL WHERE sequence_number = (SELECT min(sequence_number) FROM outbox_messages)");

        var batch = await delivery.DeliverBatch(CancellationToken.None);
        Assert.Equal(new DeliveryBatch(3, 2, 0, null), batch);
        Assert.Equal([(1, "no destination address")],
            await _sql.Query("SELECT attempts, last_error FROM outbox_messages WHERE parked_at IS NOT NULL", r => (r.GetInt32(0), r.GetString(1))));
        Assert.Equal((1L, 1.0), Parked(metrics.Collect()));

        Assert.Equal(0, (await Command("retry", "--all")).Exit);
        Assert.Equal(0, await delivery.CountParked(CancellationToken.None));
        Assert.Equal((1L, 0.0), Parked(metrics.Collect()));
        await host.StopAsync();
    }

    /// <summary>The rows this host parked (<c>payments.outbox.parked_messages</c>) and the parked rows at its last count
    /// (<c>payments.outbox.parked</c>, -1 when it reported none).</summary>
    static (long Total, double Now) Parked(CollectedMetrics metrics) =>
        (metrics.Sum(PaymentsMeter.OutboxParkedMessages), metrics.Gauge(PaymentsMeter.OutboxParked) ?? -1);

    Task<IHost> Start(RefusingTransport transport) =>
        // The production back-off (0.1 s doubling up to 30 s) rather than the test host's 200 ms ceiling, so that whole
        // batches failing shows as the crawl it is, and an outage is waited out as it would be.
        MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(),
            MessagingHost.DeliveryHeld(new Dictionary<string, string?> { ["Payments:Outbox:MaxBackoff"] = "00:00:30" }),
            services => services.AddSingleton<IOutboxTransport>(sp => transport.Wrap(ActivatorUtilities.CreateInstance<BusOutboxTransport>(sp))));

    Task<(int Exit, string Output)> Command(params string[] args) =>
        OutboxCommandTests.Run(output, OutboxCommandTests.Configuration(_sql.ConnectionString), args);

    /// <summary>The real bus transport, except for the rows a test makes it refuse.</summary>
    sealed class RefusingTransport : IOutboxTransport
    {
        public const string Reason = "refused by the test's transport";
        IOutboxTransport _inner = null!;
        volatile Func<OutboxMessage, bool> _refuse = _ => false;

        public IOutboxTransport Wrap(IOutboxTransport inner)
        {
            _inner = inner;
            return this;
        }

        public bool Durable => _inner.Durable;

        public void Refuse(Func<OutboxMessage, bool> refuse) => _refuse = refuse;
        public void Allow() => _refuse = _ => false;

        public async Task<OutboxSendResult> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
        {
            var refuse = _refuse;
            var result = await _inner.Send(batch.Where(m => !refuse(m)).ToList(), cancellationToken);
            foreach (var message in batch.Where(refuse))
                result.Refused(message, Reason);
            return result;
        }
    }
}
