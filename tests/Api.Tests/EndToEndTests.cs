using System.Diagnostics;
using System.Net;
using Payments.TestSupport;
using Xunit.Abstractions;

namespace Payments.Api.Tests;

/// <summary>The whole system in one process over HTTP, with an unreliable gateway.</summary>
public class EndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    ApiFactory _api = null!;

    public async Task InitializeAsync() =>
        _api = await ApiFactory.Start(new Dictionary<string, string?>
        {
            ["Payments:FakeGateway:TransientFailureRate"] = "0.3",
            // Charged, but the answer is lost: the retry must not charge again.
            ["Payments:FakeGateway:TimeoutRate"] = "0.05",
        });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_thousand_payments_with_a_flaky_gateway_all_end_terminal_with_at_most_one_charge_each()
    {
        const int total = 1000;
        var users = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToArray();
        var clients = users.ToDictionary(u => u, u => _api.ClientFor(u));
        var random = new Random(42);
        var requests = Enumerable.Range(0, total)
            .Select(i => (User: users[i % users.Length], Amount: (long)random.Next(100, 100_000), Key: $"e2e-{i}"))
            .ToList();

        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(32);
        var created = await Task.WhenAll(requests.Select(async r =>
        {
            await gate.WaitAsync();
            try
            {
                var response = await PaymentRequests.Post(clients[r.User], PaymentRequests.Body(r.User, r.Amount), r.Key);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                return (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();
            }
            finally
            {
                gate.Release();
            }
        }));
        var accepted = clock.Elapsed;

        await Sql.WaitUntil(async () => await _api.Sql.Count("payments", "status = 'PENDING'") == 0, TimeSpan.FromSeconds(180),
            "every payment to reach a terminal state");
        var terminal = clock.Elapsed;
        output.WriteLine($"{total} payments: accepted in {accepted.TotalSeconds:0.00}s ({total / accepted.TotalSeconds:0} req/s), " +
                         $"all terminal in {terminal.TotalSeconds:0.00}s ({total / terminal.TotalSeconds:0} payments/s)");

        var outcomes = await _api.Sql.Query("SELECT id, status, amount FROM payments", r => (Id: r.GetGuid(0), Status: r.GetString(1), Amount: r.GetInt64(2)));
        Assert.Equal(total, outcomes.Count);
        Assert.Equal(created.Order(), outcomes.Select(o => o.Id).Order());

        var charges = _api.Ledger.Charges.GroupBy(c => c.Charge.PaymentId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var payment in outcomes)
        {
            if (payment.Status == "SUCCESS")
            {
                var charge = Assert.Single(charges[payment.Id]);
                Assert.Equal(payment.Amount, charge.Charge.Amount);
            }
            else
            {
                Assert.Equal("FAILED", payment.Status);
                Assert.False(charges.ContainsKey(payment.Id), $"failed payment {payment.Id} was charged");
            }
        }
        Assert.Equal(outcomes.Count(o => o.Status == "SUCCESS"), _api.Ledger.Charges.Count);
        var declined = outcomes.Count(o => o.Amount % 100 == 51);
        output.WriteLine($"success {outcomes.Count(o => o.Status == "SUCCESS")}, failed {outcomes.Count(o => o.Status == "FAILED")} " +
                         $"(declined by rule {declined}); gateway calls {_api.Ledger.Calls}, " +
                         $"repeat calls answered from the ledger {_api.Ledger.Entries.Sum(e => e.Requests - 1)}");
        Assert.True(_api.Ledger.Entries.Any(e => e.Requests > 1), "the flaky gateway should have forced repeated charges");

        await Sql.WaitUntil(async () => await _api.Sql.Count("outbox_messages", "enqueue_time IS NULL") == 0, TimeSpan.FromSeconds(10),
            "the outbox to drain");
    }
}
