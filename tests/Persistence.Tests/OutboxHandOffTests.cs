using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Outbox;
using Payments.Persistence.Outbox;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>
/// Committed rows are sent from memory right after the commit; what that leaves behind (the process died first, the send
/// failed) the sweep sends once the grace is over. With the in-memory transport a row lives until every consumer of its
/// message has consumed it: it is deleted in the last consumer's inbox transaction, never before.
/// </summary>
public class OutboxHandOffTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync()
    {
        _sql = new Sql(await TestPostgres.CreateDatabase());
        await _sql.Execute(TestPingConsumer.CreateTable);
        await _sql.Execute(SecondPingConsumer.CreateTables);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rows_a_process_committed_and_died_before_sending_are_delivered_once_by_the_sweep_after_the_grace()
    {
        // Delivery off is a writer that dies right after its commit: nothing it committed was sent.
        using (var writer = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(),
                   new Dictionary<string, string?> { ["Payments:Outbox:DeliveryEnabled"] = "false" }))
        {
            await MessagingHost.PublishThroughOutbox(writer, Enumerable.Range(0, 50).Select(_ => new TestPing(Guid.NewGuid())));
            await writer.StopAsync();
        }
        var written = await _sql.Query("SELECT message_id, sent_time FROM outbox_messages", r => (Id: r.GetGuid(0), At: r.GetDateTime(1)));
        Assert.Equal(50, written.Count);
        Assert.Equal(0, await _sql.Count("test_effects"));

        var grace = TimeSpan.FromSeconds(2);
        using var restarted = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(),
            new Dictionary<string, string?> { ["Payments:Outbox:SweepGrace"] = grace.ToString() });
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") == 50 && await _sql.Count("outbox_messages") == 0,
            TimeSpan.FromSeconds(20), "every row delivered and consumed after the restart");

        var effects = await _sql.Query("SELECT count(*), count(DISTINCT key) FROM test_effects", r => (r.GetInt64(0), r.GetInt64(1)));
        Assert.Equal((50L, 50L), effects.Single());
        // The sweep waited for the grace: no row was consumed sooner than that after its commit.
        var consumed = (await _sql.Query("SELECT message_id, consumed FROM inbox_states", r => (Id: r.GetGuid(0), At: r.GetDateTime(1))))
            .ToDictionary(x => x.Id, x => x.At);
        Assert.All(written, row => Assert.True(consumed[row.Id] >= row.At + grace, $"{row.Id} consumed {consumed[row.Id] - row.At} after its commit"));
        await restarted.StopAsync();
    }

    /// <param name="throws">
    /// The send throws instead of refusing the rows (the process stopping mid-send, or a transport fault): it says nothing
    /// of which rows went out, and if their in-flight slots stayed taken every sweep would step over those rows for good.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_send_that_fails_after_the_commit_leaves_the_rows_to_the_sweep_which_delivers_each_once(bool throws)
    {
        var transport = new FailsFirstSend(throws);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddConsumer<TestPingConsumer>(),
            new Dictionary<string, string?> { ["Payments:Outbox:SweepGrace"] = "00:00:01" },
            services => services.AddSingleton<IOutboxTransport>(sp => transport.Wrap(ActivatorUtilities.CreateInstance<BusOutboxTransport>(sp))));

        await MessagingHost.PublishThroughOutbox(host, Enumerable.Range(0, 20).Select(_ => new TestPing(Guid.NewGuid())));
        await Sql.WaitUntil(async () => await _sql.Count("test_effects") == 20 && await _sql.Count("outbox_messages") == 0,
            TimeSpan.FromSeconds(20), "every row delivered by the sweep");

        Assert.Equal(20, transport.Refused);
        var effects = await _sql.Query("SELECT count(*), count(DISTINCT key) FROM test_effects", r => (r.GetInt64(0), r.GetInt64(1)));
        Assert.Equal((20L, 20L), effects.Single());
        // A slot frees when the receive is over, just after the consumer's transaction committed (the effect, the row's
        // deletion): waited for, as the last commit can be seen before it.
        var inFlight = host.Services.GetRequiredService<InFlightOutboxRows>();
        await Sql.WaitUntil(() => Task.FromResult(inFlight.Count == 0), TimeSpan.FromSeconds(10), "every hand-off slot given back");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_row_is_deleted_only_once_every_consumer_of_its_message_consumed_it_and_never_while_one_keeps_failing()
    {
        // Records every delete of a row whose message fewer than both consumers have consumed, in the deleting transaction.
        await _sql.Execute("""
            CREATE TABLE premature_deletes (message_id uuid NOT NULL, consumed bigint NOT NULL);
            CREATE FUNCTION record_premature_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE n bigint;
            BEGIN
              SELECT count(*) INTO n FROM inbox_states WHERE message_id = OLD.message_id AND consumed IS NOT NULL;
              IF n < 2 THEN INSERT INTO premature_deletes VALUES (OLD.message_id, n); END IF;
              RETURN OLD;
            END $$;
            CREATE TRIGGER record_premature_delete BEFORE DELETE ON outbox_messages FOR EACH ROW EXECUTE FUNCTION record_premature_delete();
            """);
        var refused = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        foreach (var key in refused)
            await _sql.Execute($"INSERT INTO second_refuses (key) VALUES ('{key}')");

        using var host = await MessagingHost.Start(_sql.ConnectionString, bus =>
            {
                bus.AddConsumer<TestPingConsumer>();
                bus.AddConsumer<SecondPingConsumer>();
            },
            new Dictionary<string, string?> { ["Payments:Outbox:MaxAttempts"] = "2" });
        var pings = refused.Concat(Enumerable.Range(0, 95).Select(_ => Guid.NewGuid())).Select(k => new TestPing(k)).ToList();
        await MessagingHost.PublishThroughOutbox(host, pings);

        await Sql.WaitUntil(async () => await _sql.Count("test_effects") == 100 && await _sql.Count("second_effects") == 95
                                        && await _sql.Count("outbox_messages") == 5 && await _sql.Count("outbox_messages", "parked_at IS NOT NULL") == 5,
            TimeSpan.FromSeconds(30), "both consumers done, and the rows the second one keeps refusing parked");

        Assert.Equal(0, await _sql.Count("premature_deletes"));
        var left = await _sql.Query("SELECT body FROM outbox_messages", r => r.GetString(0));
        Assert.All(left, body => Assert.Contains(refused, key => body.Contains(key.ToString(), StringComparison.Ordinal)));
        var effects = await _sql.Query("SELECT count(DISTINCT key) FROM test_effects", r => r.GetInt64(0));
        Assert.Equal(100, effects.Single());
        await host.StopAsync();
    }

    /// <summary>A second consumer of <see cref="TestPing"/> on an endpoint of its own, which fails on the keys it is told to refuse.</summary>
    public sealed class SecondPingConsumer(PaymentsDbContext db) : IConsumer<TestPing>
    {
        public const string CreateTables = """
            CREATE TABLE IF NOT EXISTS second_effects (key uuid NOT NULL);
            CREATE TABLE IF NOT EXISTS second_refuses (key uuid NOT NULL)
            """;

        public async Task Consume(ConsumeContext<TestPing> context)
        {
            var refuse = await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM second_refuses WHERE key = {context.Message.Key}")
                .SingleAsync(context.CancellationToken);
            if (refuse > 0)
                throw new InvalidOperationException("this consumer refuses the key");
            await db.Database.ExecuteSqlAsync($"INSERT INTO second_effects (key) VALUES ({context.Message.Key})", context.CancellationToken);
        }
    }

    /// <summary>
    /// The real bus transport, failing every row the first time it is handed one (the dispatcher's send): refusing it, or
    /// when <paramref name="throws"/>, throwing out of a send that holds one.
    /// </summary>
    sealed class FailsFirstSend(bool throws = false) : IOutboxTransport
    {
        readonly HashSet<long> _seen = [];
        IOutboxTransport _inner = null!;
        int _refused;

        public int Refused => _refused;
        public bool Durable => _inner.Durable;

        public IOutboxTransport Wrap(IOutboxTransport inner)
        {
            _inner = inner;
            return this;
        }

        public async Task<OutboxSendResult> Send(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
        {
            List<OutboxMessage> first;
            lock (_seen)
                first = batch.Where(m => _seen.Add(m.SequenceNumber)).ToList();
            if (throws && first.Count > 0)
            {
                Interlocked.Add(ref _refused, first.Count);
                throw new InvalidOperationException("the transport failed mid-send");
            }
            var result = await _inner.Send(batch.Except(first).ToList(), cancellationToken);
            foreach (var message in first)
            {
                result.Refused(message, "refused the first time");
                Interlocked.Increment(ref _refused);
            }
            return result;
        }
    }
}
