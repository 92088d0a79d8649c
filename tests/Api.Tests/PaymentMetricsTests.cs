using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Persistence;
using Payments.Processing.Telemetry;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Api.Tests;

/// <summary>
/// The payments' own metrics, read through OpenTelemetry's SDK as an exporter receives them, while payments go through the
/// all-in-one process: each is counted once, after the commit that makes it true.
/// </summary>
public class PaymentMetricsTests : IAsyncLifetime
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    ApiFactory _api = null!;
    HostMetrics _metrics = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiFactory.Start();
        _metrics = new HostMetrics(_api.Services);
    }

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Payments_are_counted_once_when_created_and_once_when_terminal_by_status_with_the_seconds_in_between()
    {
        var user = Guid.NewGuid();
        var client = _api.ClientFor(user);
        var key = Guid.NewGuid().ToString();
        var clock = Stopwatch.StartNew();
        var succeeding = await Create(client, PaymentRequests.Body(user, amount: 1999, currency: "USD"), key);
        var replay = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1999, currency: "USD"), key);
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
        var failing = await Create(client, PaymentRequests.Body(user, amount: 1051, currency: "EUR"), Guid.NewGuid().ToString());

        await WaitForCompleted(2);
        Assert.Equal(1, await _api.Sql.Count("payments", $"id = '{succeeding}' AND status = 'SUCCESS'"));
        Assert.Equal(1, await _api.Sql.Count("payments", $"id = '{failing}' AND status = 'FAILED'"));

        // A terminal status written again (as by a redelivered outcome) changes no row, so it is not counted again.
        await CompleteAgain(succeeding, PaymentStatus.Success);

        var metrics = _metrics.Collect();
        Assert.Equal(2, metrics.Sum(PaymentsMeter.Created));
        Assert.Equal(1, metrics.Sum(PaymentsMeter.Created, (PaymentsMeter.CurrencyTag, "USD")));
        Assert.Equal(1, metrics.Sum(PaymentsMeter.Created, (PaymentsMeter.CurrencyTag, "EUR")));
        Assert.Equal(1, metrics.Sum(PaymentsMeter.Completed, (PaymentsMeter.StatusTag, PaymentStatus.Success)));
        Assert.Equal(1, metrics.Sum(PaymentsMeter.Completed, (PaymentsMeter.StatusTag, PaymentStatus.Failed)));

        foreach (var status in new[] { PaymentStatus.Success, PaymentStatus.Failed })
        {
            var (count, seconds, boundaries) = metrics.Histogram(PaymentsMeter.Duration, (PaymentsMeter.StatusTag, status));
            Assert.Equal(1, count);
            Assert.InRange(seconds, 0.0001, clock.Elapsed.TotalSeconds);
            Assert.Equal([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600], boundaries);
        }
    }

    [Fact]
    public async Task A_terminal_transition_whose_commit_failed_and_was_retried_is_counted_once()
    {
        // The first commit that makes a payment terminal fails at COMMIT, after the saga and the completion have run, as a
        // serialization failure would; the bus retries the message in a new transaction, which commits.
        await _api.Sql.Execute("""
            CREATE SEQUENCE terminal_commits;
            CREATE FUNCTION fail_first_terminal_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF nextval('terminal_commits') = 1 THEN
                RAISE EXCEPTION 'test: the first commit of a terminal status fails' USING ERRCODE = 'serialization_failure';
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER fail_first_terminal_commit AFTER UPDATE ON payments DEFERRABLE INITIALLY DEFERRED
              FOR EACH ROW WHEN (NEW.status <> 'PENDING') EXECUTE FUNCTION fail_first_terminal_commit();
            """);
        var user = Guid.NewGuid();
        var id = await Create(_api.ClientFor(user), PaymentRequests.Body(user, amount: 1999), Guid.NewGuid().ToString());

        await Sql.WaitUntil(async () => await _api.Sql.Count("payments", $"id = '{id}' AND status = 'SUCCESS'") == 1, Deadline, "payment to succeed");
        await WaitForCompleted(1);
        Assert.Equal(2, (await _api.Sql.Query("SELECT last_value FROM terminal_commits", r => r.GetInt64(0))).Single());
        Assert.Equal(1, _metrics.Collect().Sum(PaymentsMeter.Completed, (PaymentsMeter.StatusTag, PaymentStatus.Success)));
    }

    static async Task<Guid> Create(HttpClient client, System.Text.Json.Nodes.JsonNode body, string key)
    {
        var response = await PaymentRequests.Post(client, body, key);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await PaymentRequests.Json(response)).GetProperty("id").GetGuid();
    }

    // The count moves just after the commit that the API's readers see, so it is waited for in its own right.
    Task WaitForCompleted(long count) =>
        Sql.WaitUntil(() => Task.FromResult(_metrics.Collect().Sum(PaymentsMeter.Completed) >= count), Deadline, $"{count} payments counted as completed");

    async Task CompleteAgain(Guid id, string status)
    {
        await using var scope = _api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var saga = await db.PaymentSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == id);
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await scope.ServiceProvider.GetRequiredService<IPaymentCompletion>().Complete(saga, status, CancellationToken.None);
            await transaction.CommitAsync();
        }
        scope.ServiceProvider.GetRequiredService<AfterCommit>().Committed();
    }
}
