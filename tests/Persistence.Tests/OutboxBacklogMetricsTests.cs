using Microsoft.Extensions.DependencyInjection;
using Payments.Persistence.Outbox;
using Payments.Processing.Telemetry;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>
/// The outbox's backlog gauges: the rows due for delivery and how long the oldest has waited, measured by the delivery
/// service (never by a scrape) and reported by <c>payments.outbox.due</c> and <c>payments.outbox.oldest_due_age</c>.
/// </summary>
public class OutboxBacklogMetricsTests : IAsyncLifetime
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
    public async Task Rows_waiting_are_counted_and_the_oldest_ones_age_reported_leaving_out_parked_rows_and_schedules_not_yet_due()
    {
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(), ManualDelivery);
        var delivery = host.Services.GetRequiredService<OutboxDeliveryService>();
        using var metrics = new HostMetrics(host.Services);
        Assert.Null(metrics.Collect().Gauge(PaymentsMeter.OutboxDue));

        await MessagingHost.PublishThroughOutbox(host, Enumerable.Range(0, 5).Select(_ => new TestPing(Guid.NewGuid())));
        // By sequence number: waiting 90 s; a schedule due 30 s ago; a schedule due in an hour; parked (older than all); just written.
        await _sql.Execute("""
            WITH numbered AS (SELECT sequence_number, row_number() OVER (ORDER BY sequence_number) AS n FROM outbox_messages)
            UPDATE outbox_messages o
               SET sent_time = CASE n WHEN 1 THEN now() - interval '90 seconds' WHEN 4 THEN now() - interval '1 hour' ELSE sent_time END,
                   enqueue_time = CASE n WHEN 2 THEN now() - interval '30 seconds' WHEN 3 THEN now() + interval '1 hour' END,
                   parked_at = CASE n WHEN 4 THEN now() END
              FROM numbered WHERE o.sequence_number = numbered.sequence_number
            """);

        var backlog = await delivery.MeasureBacklog(CancellationToken.None);
        Assert.Equal(3, backlog.Due);
        Assert.InRange(backlog.OldestAge.TotalSeconds, 90, 120);
        var measured = metrics.Collect();
        Assert.Equal(3, measured.Gauge(PaymentsMeter.OutboxDue));
        Assert.InRange(measured.Gauge(PaymentsMeter.OutboxOldestDueAge) ?? -1, 90, 120);

        Assert.Equal(3, (await delivery.DeliverBatch(CancellationToken.None)).Delivered);
        // Handed to the in-memory transport, a row waits until its consumer has consumed it, and deletes it then.
        await Sql.WaitUntil(async () => await _sql.Count("outbox_messages") == 2, TimeSpan.FromSeconds(10), "the three rows consumed");
        Assert.Equal(new OutboxBacklog(0, TimeSpan.Zero), await delivery.MeasureBacklog(CancellationToken.None));
        var drained = metrics.Collect();
        Assert.Equal(0, drained.Gauge(PaymentsMeter.OutboxDue));
        Assert.Equal(0, drained.Gauge(PaymentsMeter.OutboxOldestDueAge));
    }

    [Fact]
    public async Task The_delivery_loop_measures_the_backlog_by_itself_before_it_delivers()
    {
        using (var writer = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(), ManualDelivery))
        {
            await MessagingHost.PublishThroughOutbox(writer, Enumerable.Range(0, 3).Select(_ => new TestPing(Guid.NewGuid())));
            await writer.StopAsync();
        }

        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>());
        using var metrics = new HostMetrics(host.Services);
        double? due = null;
        await Sql.WaitUntil(() => Task.FromResult((due = metrics.Collect().Gauge(PaymentsMeter.OutboxDue)) is not null), TimeSpan.FromSeconds(10),
            "the delivery loop to measure the backlog");
        Assert.Equal(3, due);
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") == 3, TimeSpan.FromSeconds(10), "the rows delivered");
        await host.StopAsync();
    }
}
