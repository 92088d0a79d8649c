using System.Diagnostics;
using System.Net;
using System.Text;
using Payments.TestSupport;

namespace Payments.Aws.Tests.Reliability;

/// <summary>
/// Merchants refunding during the chaos run: as payments reach SUCCESS, the first <c>payments</c> of them get a partial
/// refund (40 %) and then one for the rest (no amount), each retried with its own key until answered 201 (a 5xx, a 409 or a
/// broken connection is tried again with the same key, as a client should).
/// </summary>
sealed class RefundClients(ApiFactory api, Sql db, int payments, int concurrency)
{
    int _created, _retried;
    public int Created => Volatile.Read(ref _created);
    public int Retried => Volatile.Read(ref _retried);

    public async Task RefundAsPaymentsSucceed(Func<bool> creationDone)
    {
        var started = new HashSet<Guid>();
        var running = new List<Task>();
        using var gate = new SemaphoreSlim(concurrency);
        var deadline = Stopwatch.StartNew();
        while (started.Count < payments)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(4), $"only {started.Count} payments reached SUCCESS to refund");
            List<(Guid Id, Guid User, long Amount)> succeeded;
            try
            {
                succeeded = await db.Query("SELECT id, user_id, amount FROM payments WHERE status = 'SUCCESS' ORDER BY id LIMIT 500",
                    r => (r.GetGuid(0), r.GetGuid(1), r.GetInt64(2)));
            }
            catch (Npgsql.NpgsqlException)
            {
                succeeded = []; // Postgres is being restarted: look again.
            }
            foreach (var payment in succeeded.Where(p => !started.Contains(p.Id)).Take(payments - started.Count))
            {
                started.Add(payment.Id);
                running.Add(RefundTwice(payment.Id, payment.User, payment.Amount, gate));
            }
            if (started.Count < payments)
                await Task.Delay(200);
            if (creationDone() && succeeded.Count == 0 && deadline.Elapsed > TimeSpan.FromMinutes(3))
                break;
        }
        await Task.WhenAll(running);
    }

    async Task RefundTwice(Guid payment, Guid user, long amount, SemaphoreSlim gate)
    {
        await gate.WaitAsync();
        try
        {
            using var client = api.ClientFor(user);
            await CreateOne(client, payment, $$"""{"amount":{{amount * 2 / 5}},"reason":"partial"}""", $"refund-a-{payment}");
            await CreateOne(client, payment, """{"reason":"the rest"}""", $"refund-b-{payment}");
        }
        finally
        {
            gate.Release();
        }
    }

    async Task CreateOne(HttpClient client, Guid payment, string body, string key)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/payments/{payment}/refunds")
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                using var response = await client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref _created);
                    return;
                }
                Assert.True(response.StatusCode == HttpStatusCode.Conflict || (int)response.StatusCode >= 500,
                    $"refund {key}: unexpected {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException)
            {
            }
            Interlocked.Increment(ref _retried);
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"refund {key} was not accepted within 2 minutes");
            await Task.Delay(200);
        }
    }
}
