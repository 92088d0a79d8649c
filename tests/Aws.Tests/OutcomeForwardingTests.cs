using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Aws.Tests;

/// <summary>
/// The distributed mode with outcome forwarding on: API (role Api) and a worker host over the SQS/SNS emulator and
/// Postgres; the worker forwards every PaymentSucceeded / PaymentFailed to a loopback EventBridge that checks the
/// SigV4 signature and records what it accepts.
/// </summary>
public class OutcomeForwardingTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Bus = "payments-test";

    string _database = null!;
    DistributedHosts _hosts = null!;
    OutcomeForwardingFakeEventBridge _eventBridge = null!;

    public async Task InitializeAsync()
    {
        _eventBridge = await OutcomeForwardingFakeEventBridge.Start();
        _database = await TestPostgres.CreateDatabase();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Payments"] = _database,
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = TestSqs.ServiceUrl,
            ["Messaging:AmazonSqs:AutoProvision"] = "true",
            ["Messaging:AmazonSqs:EntityPrefix"] = $"f{Guid.NewGuid():N}"[..9] + "-",
            ["Messaging:AmazonSqs:WaitTimeSeconds"] = "1",
            ["Messaging:AmazonSqs:ConcurrencyPerQueue"] = "32",
            // A message whose consumer retries ran out comes back after this.
            ["Messaging:AmazonSqs:VisibilityTimeout"] = "00:00:03",
            ["Payments:Saga:ChargeTimeout"] = "00:00:10",
            ["Payments:Saga:RetryBaseDelay"] = "00:00:00.020",
            ["Payments:Saga:RetryMaxDelay"] = "00:00:00.200",
            ["Payments:Saga:MaxAttempts"] = "12",
            ["Payments:FakeGateway:Latency"] = "00:00:00.001",
            ["Payments:FakeGateway:TransientFailureRate"] = "0.1",
            ["Payments:Outbox:PollInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Payments:EventBridge:BusName"] = Bus,
            ["Payments:EventBridge:ServiceUrl"] = _eventBridge.Url.ToString(),
        };

        _hosts = await DistributedHosts.Start(_database, settings);
    }

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        await _eventBridge.DisposeAsync();
    }

    [Fact]
    public async Task Every_outcome_reaches_the_event_bus_once_per_event_id_with_the_status_of_its_payment()
    {
        const int total = 100;
        var clock = Stopwatch.StartNew();
        await CreatePayments(total, i => i % 5 == 0 ? 1051 + 100 * i : 1000 + 100 * i + i % 50);
        await WaitUntilTerminal();
        var terminal = clock.Elapsed;

        var payments = await Payments();
        Assert.Equal(total, payments.Count);
        Assert.Equal(total / 5, payments.Values.Count(p => p.Status == "FAILED"));
        await WaitUntilForwarded(payments.Keys);
        output.WriteLine($"{total} payments terminal in {terminal.TotalSeconds:0.00}s, all outcomes on the bus in {clock.Elapsed.TotalSeconds:0.00}s; " +
                         $"{_eventBridge.Calls} PutEvents calls, {_eventBridge.Accepted.Count} entries accepted");

        AssertOneEventPerPayment(payments);
        Assert.Equal(0, _eventBridge.BadSignatures);
    }

    [Fact]
    public async Task Entries_EventBridge_rejects_are_retried_until_accepted_never_dropped()
    {
        // Rejected more often than the consumer's own retry tries (4 attempts): past those the message faults
        // and SQS delivers it again after the visibility timeout.
        _eventBridge.RejectFirstCalls = 10;
        var clock = Stopwatch.StartNew();
        await CreatePayments(1, _ => 4200);
        await WaitUntilTerminal();

        var payments = await Payments();
        await WaitUntilForwarded(payments.Keys);
        output.WriteLine($"accepted after {_eventBridge.RejectedCalls} rejected calls, {clock.Elapsed.TotalSeconds:0.00}s after the payment was created");

        Assert.Equal(10, _eventBridge.RejectedCalls);
        AssertOneEventPerPayment(payments);
        Assert.Equal(0, _eventBridge.BadSignatures);
    }

    async Task CreatePayments(int count, Func<int, long> amount)
    {
        var users = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        var clients = users.ToDictionary(u => u, u => _hosts.Api.ClientFor(u));
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var user = users[i % users.Length];
            await gate.WaitAsync();
            try
            {
                var response = await PaymentRequests.Post(clients[user], PaymentRequests.Body(user, amount(i)), $"fwd-{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    Task WaitUntilTerminal() =>
        Sql.WaitUntil(async () => await _hosts.Api.Sql.Count("payments", "status = 'PENDING'") == 0, TimeSpan.FromSeconds(120),
            "every payment to reach a terminal state");

    async Task<Dictionary<Guid, (string Status, long Amount)>> Payments() =>
        (await _hosts.Api.Sql.Query("SELECT id, status, amount FROM payments", r => (Id: r.GetGuid(0), Status: r.GetString(1), Amount: r.GetInt64(2))))
        .ToDictionary(p => p.Id, p => (p.Status, p.Amount));

    Task WaitUntilForwarded(IReadOnlyCollection<Guid> paymentIds) =>
        Sql.WaitUntil(() => Task.FromResult(paymentIds.All(Forwarded().Contains)), TimeSpan.FromSeconds(60),
            "every payment's outcome to be accepted by the event bus");

    HashSet<Guid> Forwarded() => _eventBridge.Accepted.Select(e => PaymentIdOf(e.Detail)).ToHashSet();

    static Guid PaymentIdOf(string detail) => JsonDocument.Parse(detail).RootElement.GetProperty("paymentId").GetGuid();

    void AssertOneEventPerPayment(Dictionary<Guid, (string Status, long Amount)> payments)
    {
        var accepted = _eventBridge.Accepted.ToList();
        foreach (var entry in accepted)
        {
            Assert.Equal(Bus, entry.EventBusName);
            Assert.Equal("payments", entry.Source);
            Assert.NotNull(entry.Time);
        }

        var byPayment = accepted.GroupBy(e => PaymentIdOf(e.Detail)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(payments.Keys.Order(), byPayment.Keys.Order());
        var duplicates = 0;
        foreach (var (paymentId, entries) in byPayment)
        {
            var (status, amount) = payments[paymentId];
            var details = entries.Select(e => JsonDocument.Parse(e.Detail).RootElement).ToList();
            // Redelivery may repeat an event, but always as the same event: subscribers de-duplicate by eventId.
            Assert.Single(details.Select(d => d.GetProperty("eventId").GetGuid()).Distinct());
            Assert.All(entries, e => Assert.Equal(status == "SUCCESS" ? "PaymentSucceeded" : "PaymentFailed", e.DetailType));
            Assert.All(details, d => Assert.Equal(amount, d.GetProperty("amount").GetInt64()));
            Assert.All(details, d => Assert.True(d.TryGetProperty(status == "SUCCESS" ? "chargeId" : "reason", out _)));
            duplicates += entries.Count - 1;
        }
        output.WriteLine($"{payments.Count} payments, {accepted.Count} accepted entries ({duplicates} repeats of an event id)");
    }
}
