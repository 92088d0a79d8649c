using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Processing.Gateway;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Aws.Tests;

/// <summary>
/// The distributed mode: the API (role Api) and a worker host talk only through SNS and SQS (the emulator),
/// HTTP → outbox → SNS → SQS → saga → gateway → SQS/SNS → saga, on a shared Postgres.
/// </summary>
public class DistributedEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    string _database = null!;
    DistributedHosts _hosts = null!;
    OutcomeForwardingFakeEventBridge _eventBridge = null!;

    Dictionary<string, string?> Messaging(string prefix) => new()
    {
        ["ConnectionStrings:Payments"] = _database,
        ["Messaging:Transport"] = "AmazonSqs",
        ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
        ["Messaging:AmazonSqs:AutoProvision"] = "true",
        ["Messaging:AmazonSqs:EntityPrefix"] = prefix,
        ["Messaging:AmazonSqs:WaitTimeSeconds"] = "1",
        ["Messaging:AmazonSqs:ConcurrencyPerQueue"] = "32",
        ["Payments:Saga:ChargeTimeout"] = "00:00:10",
        ["Payments:Saga:RetryBaseDelay"] = "00:00:00.020",
        ["Payments:Saga:RetryMaxDelay"] = "00:00:00.200",
        ["Payments:Saga:MaxAttempts"] = "12",
        ["Payments:FakeGateway:Latency"] = "00:00:00.001",
        ["Payments:FakeGateway:TransientFailureRate"] = "0.3",
        ["Payments:FakeGateway:TimeoutRate"] = "0.05",
        ["Payments:Outbox:PollInterval"] = "00:00:00.200",
        ["Payments:EventBridge:BusName"] = "payments-e2e",
        ["Payments:EventBridge:ServiceUrl"] = _eventBridge.Url.ToString(),
    };

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabase();
        _eventBridge = await OutcomeForwardingFakeEventBridge.Start();
        var settings = Messaging($"t{Guid.NewGuid():N}"[..9] + "-");

        _hosts = await DistributedHosts.Start(_database, settings);
    }

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        await _eventBridge.DisposeAsync();
    }

    [Fact]
    public async Task A_thousand_payments_cross_SNS_and_SQS_and_all_end_terminal_with_at_most_one_charge_each()
    {
        const int total = 1000;
        var users = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToArray();
        var clients = users.ToDictionary(u => u, u => _hosts.Api.ClientFor(u));
        var random = new Random(7);
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, total).Select(async i =>
        {
            var user = users[i % users.Length];
            await gate.WaitAsync();
            try
            {
                var response = await PaymentRequests.Post(clients[user], PaymentRequests.Body(user, random.Next(100, 100_000)), $"dist-{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
            finally
            {
                gate.Release();
            }
        }));
        var accepted = clock.Elapsed;

        await Sql.WaitUntil(async () => await _hosts.Api.Sql.Count("payments", "status = 'PENDING'") == 0, TimeSpan.FromSeconds(240),
            "every payment to reach a terminal state");
        var terminal = clock.Elapsed;
        output.WriteLine($"distributed: {total} payments accepted in {accepted.TotalSeconds:0.00}s ({total / accepted.TotalSeconds:0} req/s), " +
                         $"all terminal in {terminal.TotalSeconds:0.00}s ({total / terminal.TotalSeconds:0} payments/s)");

        var ledger = _hosts.Worker.Services.GetRequiredService<ChargeLedger>();
        var outcomes = await _hosts.Api.Sql.Query("SELECT id, status, amount FROM payments", r => (Id: r.GetGuid(0), Status: r.GetString(1), Amount: r.GetInt64(2)));
        var charges = ledger.Charges.GroupBy(c => c.Charge.PaymentId).ToDictionary(g => g.Key, g => g.Single());
        Assert.Equal(total, outcomes.Count);
        foreach (var payment in outcomes)
        {
            if (payment.Status == "SUCCESS")
                Assert.Equal(payment.Amount, charges[payment.Id].Charge.Amount);
            else
                Assert.False(charges.ContainsKey(payment.Id), $"failed payment {payment.Id} was charged");
        }
        Assert.Equal(outcomes.Count(o => o.Status == "SUCCESS"), ledger.Charges.Count);
        // Every outcome reaches EventBridge once; a repeat may only carry the same event id.
        await Sql.WaitUntil(() => Task.FromResult(_eventBridge.Accepted.Select(e => PaymentIdOf(e.Detail)).Distinct().Count() == total),
            TimeSpan.FromSeconds(60), "an EventBridge entry for every outcome");
        var entries = _eventBridge.Accepted.ToList();
        Assert.Equal(0, _eventBridge.BadSignatures);
        foreach (var byPayment in entries.GroupBy(e => PaymentIdOf(e.Detail)))
        {
            Assert.Single(byPayment.Select(e => EventIdOf(e.Detail)).Distinct());
            var status = outcomes.Single(o => o.Id == byPayment.Key).Status;
            Assert.All(byPayment, e => Assert.Equal(status == "SUCCESS" ? "PaymentSucceeded" : "PaymentFailed", e.DetailType));
            Assert.All(byPayment, e => Assert.Equal("payments", e.Source));
        }
        output.WriteLine($"EventBridge: {entries.Count} entries for {total} outcomes");

        output.WriteLine($"success {outcomes.Count(o => o.Status == "SUCCESS")}, failed {outcomes.Count(o => o.Status == "FAILED")}; " +
                         $"gateway calls {ledger.Calls}, repeats answered from the ledger {ledger.Entries.Sum(e => e.Requests - 1)}");
    }

    static Guid PaymentIdOf(string detail) => System.Text.Json.JsonDocument.Parse(detail).RootElement.GetProperty("paymentId").GetGuid();
    static Guid EventIdOf(string detail) => System.Text.Json.JsonDocument.Parse(detail).RootElement.GetProperty("eventId").GetGuid();
}
