using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Messaging;
using Payments.Persistence.Payments;
using Payments.Processing.Gateway;
using Payments.Processing.PaymentSaga;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>Scheduled messages wait in Postgres, so a restart loses none and a charge timeout still fires.</summary>
public class DurableScheduleTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync() => _sql = new Sql(await TestPostgres.CreateDatabase());
    public Task DisposeAsync() => Task.CompletedTask;

    static readonly Dictionary<string, string?> LongTimeout = new() { ["Payments:Saga:ChargeTimeout"] = "00:05:00" };

    [Fact]
    public async Task A_charge_timeout_scheduled_before_a_restart_fires_after_it_and_the_payment_completes()
    {
        var payment = new Payment
        {
            Id = NewId.NextSequentialGuid(), UserId = Guid.NewGuid(), Amount = 1234, Currency = "EUR", Status = PaymentStatus.Pending,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };

        // First process: the saga runs, but the charge command it sends is never answered (no gateway worker). Its timeout
        // is long so that it cannot fire before the stop however busy the machine; the test moves it closer afterwards.
        using (var first = await MessagingHost.Start(_sql.ConnectionString,
                   bus => bus.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>().PostgresRepository(),
                   LongTimeout))
        {
            await using (var scope = first.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
                db.Payments.Add(payment);
                await db.SaveChangesAsync();
            }
            await MessagingHost.PublishThroughOutbox(first,
                [new PaymentRequested(payment.Id, payment.UserId, payment.Amount, payment.Currency, null, payment.CreatedAt)]);

            // The charge command has left the outbox (and is lost with this process's in-memory queue); only the timeout waits.
            // One statement: as two counts, the first could see only the PaymentRequested row and the second the saga's
            // commit (charge command and timeout), and the process stopped with the charge command still in the outbox.
            await Sql.WaitUntil(async () => (await _sql.Query(
                    "SELECT count(*) = 1 AND count(*) FILTER (WHERE enqueue_time > now()) = 1 FROM outbox_messages", r => r.GetBoolean(0))).Single(),
                TimeSpan.FromSeconds(10), "the charge timeout to wait in the outbox, alone");
            await first.StopAsync();
        }

        Assert.Equal(1, await _sql.Count("payment_sagas", $"correlation_id = '{payment.Id}' AND current_state = 'Charging' AND attempts = 1"));
        // Time passes while no process runs: the stored timer falls due a second from now.
        await _sql.Execute("UPDATE outbox_messages SET enqueue_time = now() + interval '1 second' WHERE enqueue_time IS NOT NULL");

        // Second process, with the gateway worker: the timeout fires from Postgres and the charge is re-sent. Its own
        // timeout is long, so a slow answer on a busy machine cannot add a third attempt.
        using var second = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(),
            new Dictionary<string, string?> { ["Payments:Saga:ChargeTimeout"] = "00:00:30" });
        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{payment.Id}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(15), "the payment to succeed after the restart");

        var saga = (await _sql.Query($"SELECT current_state, attempts FROM payment_sagas WHERE correlation_id = '{payment.Id}'",
            r => (State: r.GetString(0), Attempts: r.GetInt32(1)))).Single();
        var history = string.Join(", ", await _sql.Query($"SELECT type || '#' || coalesce(attempt, 0) FROM payment_events WHERE payment_id = '{payment.Id}' ORDER BY id",
            r => r.GetString(0)));
        Assert.True(saga.Attempts == 2, $"saga {saga.State} after {saga.Attempts} attempts; history: {history}");
        var charge = Assert.Single(second.Services.GetRequiredService<ChargeLedger>().Charges);
        Assert.Equal(ChargePayment.IdempotencyKeyFor(payment.Id), charge.Charge.IdempotencyKey);
        await second.StopAsync();
    }
}
