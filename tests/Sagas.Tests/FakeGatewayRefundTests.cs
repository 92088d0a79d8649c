using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Persistence.FakeGateway;
using Payments.Processing.Gateway;
using Payments.TestSupport;

namespace Payments.Sagas.Tests;

/// <summary>
/// The fake gateway's refunds against both of its ledgers (in memory, and in Postgres as the chaos run uses it): a key refunds
/// at most once, never beyond what remains of an approved charge, also when calls race.
/// </summary>
public class FakeGatewayRefundTests
{
    public static TheoryData<string> Ledgers => new() { "memory", "postgres" };

    [Theory]
    [MemberData(nameof(Ledgers))]
    public async Task The_same_refund_key_twice_returns_the_first_result_and_refunds_once(string ledger)
    {
        var (gateway, refunds) = await Gateway(ledger);
        var charge = await Charge(gateway, 1000);

        var first = await gateway.Refund(Refund(charge, 400, "refund-a"), default);
        var again = await gateway.Refund(Refund(charge, 400, "refund-a"), default);

        Assert.True(first.Approved);
        Assert.Equal(first, again);
        var entry = Assert.Single(await refunds(charge));
        Assert.Equal(2, entry.Requests);
        Assert.Equal(first, await gateway.FindRefund("refund-a", default));
        Assert.Null(await gateway.FindRefund("refund-unknown", default));
    }

    [Theory]
    [MemberData(nameof(Ledgers))]
    public async Task A_refund_beyond_what_remains_of_the_charge_or_of_no_approved_charge_is_declined(string ledger)
    {
        var (gateway, _) = await Gateway(ledger);
        var charge = await Charge(gateway, 1000);

        Assert.True((await gateway.Refund(Refund(charge, 700, "refund-1"), default)).Approved);
        var beyond = await gateway.Refund(Refund(charge, 301, "refund-2"), default);
        Assert.False(beyond.Approved);
        Assert.Equal("exceeds what remains of the charge (300)", beyond.DeclineReason);
        Assert.True((await gateway.Refund(Refund(charge, 300, "refund-3"), default)).Approved);
        Assert.False((await gateway.Refund(Refund(charge, 1, "refund-4"), default)).Approved);

        // A declined charge (amount ending in 51) and a charge the gateway never saw refund nothing.
        var declined = await Charge(gateway, 1051);
        Assert.Equal("no approved charge to refund", (await gateway.Refund(Refund(declined, 100, "refund-5"), default)).DeclineReason);
        Assert.Equal("no approved charge to refund",
            (await gateway.Refund(new GatewayRefund("refund-6", Guid.NewGuid(), "payment-never-charged", 100, "USD"), default)).DeclineReason);
    }

    [Theory]
    [MemberData(nameof(Ledgers))]
    public async Task Racing_refunds_of_one_charge_never_give_back_more_than_it_and_racing_copies_of_a_key_refund_once(string ledger)
    {
        var (gateway, refunds) = await Gateway(ledger);
        var charge = await Charge(gateway, 1000);

        // 20 different refunds of 100 against 1000, plus each sent three times at once.
        var calls = Enumerable.Range(0, 20).SelectMany(i => Enumerable.Repeat($"refund-{i}", 3))
            .Select(key => Task.Run(() => gateway.Refund(Refund(charge, 100, key), default)));
        var results = await Task.WhenAll(calls);

        var entries = await refunds(charge);
        Assert.Equal(20, entries.Count);
        Assert.All(entries, e => Assert.Equal(3, e.Requests));
        Assert.Equal(10, entries.Count(e => e.Result.Approved));
        Assert.Equal(1000, entries.Where(e => e.Result.Approved).Sum(e => e.Refund.Amount));
        Assert.Equal(30, results.Count(r => r.Approved));
    }

    [Theory]
    [MemberData(nameof(Ledgers))]
    public async Task The_ledger_decides_racing_refunds_of_one_charge_one_at_a_time_however_slow_the_decision(string ledgerName)
    {
        var ledger = await Ledger(ledgerName);
        var charge = new GatewayCharge($"payment-{Guid.NewGuid():N}", Guid.NewGuid(), 1000, "USD");
        await ledger.Record(charge, () => GatewayResult.Approve("ch_1"), default);

        // A decision that takes a while (as a real network's would) widens the window between reading what remains and
        // recording the refund: only deciding one refund of a charge at a time keeps the sum within the charge.
        var entries = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => ledger.RecordRefund(
            new GatewayRefund($"refund-{i}", Guid.NewGuid(), charge.IdempotencyKey, 100, "USD"),
            (approved, refunded) =>
            {
                Thread.Sleep(20);
                return approved is not null && refunded + 100 <= approved.Charge.Amount
                    ? GatewayResult.Approve($"re_{i}")
                    : GatewayResult.Decline("exceeds");
            }, default))));

        Assert.Equal(10, entries.Count(e => e.Result.Approved));
    }

    static async Task<IChargeLedger> Ledger(string name) =>
        name == "memory" ? new ChargeLedger() : new PostgresChargeLedger(await TestPostgres.CreateDatabase());

    static GatewayRefund Refund(GatewayCharge charge, long amount, string key) =>
        new(key, Guid.NewGuid(), charge.IdempotencyKey, amount, charge.Currency);

    static async Task<GatewayCharge> Charge(IPaymentGateway gateway, long amount)
    {
        var charge = new GatewayCharge($"payment-{Guid.NewGuid():N}", Guid.NewGuid(), amount, "USD");
        await gateway.Charge(charge, default);
        return charge;
    }

    /// <summary>A gateway without faults on the named ledger, and a reading of the refunds it recorded against a charge.</summary>
    static async Task<(IPaymentGateway Gateway, Func<GatewayCharge, Task<List<RefundLedgerEntry>>> Refunds)> Gateway(string ledger)
    {
        var services = new ServiceCollection();
        services.AddOptions<FakeGatewayOptions>().Configure(o => o.Latency = TimeSpan.Zero);
        var options = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<FakeGatewayOptions>>();
        if (ledger == "memory")
        {
            var memory = new ChargeLedger();
            return (new FakePaymentGateway(options, memory),
                c => Task.FromResult(memory.RefundEntries.Where(e => e.Refund.ChargeKey == c.IdempotencyKey).ToList()));
        }

        var connectionString = await TestPostgres.CreateDatabase();
        var postgres = new PostgresChargeLedger(connectionString);
        var sql = new Sql(connectionString);
        return (new FakePaymentGateway(options, postgres), async c =>
        {
            var keys = await sql.Query($"SELECT idempotency_key FROM fake_gateway_refunds WHERE charge_key = '{c.IdempotencyKey}'",
                r => r.GetString(0));
            var entries = new List<RefundLedgerEntry>();
            foreach (var key in keys)
                entries.Add((await postgres.FindRefund(key, default))!);
            return entries;
        });
    }
}
