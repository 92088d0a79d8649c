using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payments.Contracts;
using Payments.Messaging;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>Records each PaymentSucceeded it receives, inside its own inbox transaction.</summary>
public sealed class OutcomeProbe(PaymentsDbContext db) : IConsumer<PaymentSucceeded>
{
    public async Task Consume(ConsumeContext<PaymentSucceeded> context) =>
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO test_effects (key, message_id) VALUES ({context.Message.PaymentId}, {context.MessageId})", context.CancellationToken);
}

/// <summary>The outcome event leaves only after the terminal state is committed.</summary>
public class OutcomeAfterCommitTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync()
    {
        _sql = new Sql(await TestPostgres.CreateDatabase());
        await _sql.Execute(TestPingConsumer.CreateTable);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task No_PaymentSucceeded_is_published_while_the_success_cannot_be_committed()
    {
        var paymentId = Guid.NewGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{paymentId}', gen_random_uuid(), 600, 'USD', 'PENDING', now(), now());
            CREATE FUNCTION refuse_success() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.id = '{paymentId}' AND NEW.status = 'SUCCESS' THEN RAISE EXCEPTION 'simulated commit failure'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_success BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION refuse_success();
            """);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus =>
        {
            bus.AddPaymentWorkers();
            bus.AddConsumer<OutcomeProbe>();
        }, new Dictionary<string, string?> { ["Payments:Saga:ChargeTimeout"] = "00:00:01" });
        await MessagingHost.PublishThroughOutbox(host, [new PaymentRequested(paymentId, Guid.NewGuid(), 600, "USD", null, DateTimeOffset.UtcNow)]);

        // The gateway charges, but the saga's transaction that would record the success keeps failing.
        await Task.Delay(2500);
        Assert.Equal(0, await _sql.Count("test_effects", $"key = '{paymentId}'"));
        Assert.Equal(0, await _sql.Count("outbox_messages", "message_type LIKE '%PaymentSucceeded%'"));
        Assert.Equal(1, await _sql.Count("payments", $"id = '{paymentId}' AND status = 'PENDING'"));
        Assert.Equal(0, await _sql.Count("payment_sagas", $"correlation_id = '{paymentId}' AND current_state = 'Succeeded'"));

        // Once it can commit, the charge timeout asks the gateway again, gets the same charge, and only then is the outcome published.
        await _sql.Execute("DROP TRIGGER refuse_success ON payments");
        await Sql.WaitUntil(async () => await _sql.Count("test_effects", $"key = '{paymentId}'") == 1, TimeSpan.FromSeconds(15),
            "the outcome after the success committed");
        Assert.Equal(1, await _sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'"));
        await host.StopAsync();
    }
}
