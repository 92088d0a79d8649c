using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Contracts;
using Payments.Messaging;
using Payments.Processing.PaymentSaga;
using Payments.Processing.Recovery;
using Payments.Processing.Refunds;
using Payments.Sagas;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

public class StalledPaymentRecoveryTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync() => _sql = new Sql(await TestPostgres.CreateDatabase());
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_pending_payment_whose_request_message_was_lost_is_picked_up_again_and_completes()
    {
        var lost = Guid.NewGuid();
        var recent = Guid.NewGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{lost}', gen_random_uuid(), 500, 'USD', 'PENDING', now() - interval '10 minutes', now() - interval '10 minutes'),
                   ('{recent}', gen_random_uuid(), 500, 'USD', 'PENDING', now(), now());
            """);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers());
        var recovery = host.Services.GetServices<IHostedService>().OfType<StalledPaymentRecovery>().Single();

        Assert.Equal(1, await recovery.RunOnce(CancellationToken.None));

        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{lost}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(15), "the recovered payment to succeed");
        Assert.Equal(1, await _sql.Count("payments", $"id = '{recent}' AND status = 'PENDING'"));
        Assert.Equal(0, await recovery.RunOnce(CancellationToken.None));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_pending_payment_whose_request_still_waits_in_the_outbox_is_queued_not_stalled_until_its_row_is_parked()
    {
        // A backlog: the payment and its PaymentRequested committed long ago, the row not yet delivered (consumers down, or
        // busy with older rows). Re-publishing it would only add a duplicate to the backlog at every check.
        var queued = Guid.NewGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{queued}', gen_random_uuid(), 500, 'USD', 'PENDING', now() - interval '10 minutes', now() - interval '10 minutes');
            """);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(), MessagingHost.DeliveryHeld());
        await MessagingHost.PublishThroughOutbox(host, [new PaymentRequested(queued, Guid.NewGuid(), 500, "USD", null, DateTimeOffset.UtcNow.AddMinutes(-10))]);
        var recovery = host.Services.GetServices<IHostedService>().OfType<StalledPaymentRecovery>().Single();

        Assert.Equal(0, await recovery.RunOnce(CancellationToken.None));
        Assert.Equal(1, await _sql.Count("outbox_messages", $"correlation_id = '{queued}'"));

        // Parked, the row waits for an operator: the payment is stalled and its request is published again.
        await _sql.Execute($"UPDATE outbox_messages SET parked_at = now() WHERE correlation_id = '{queued}'");
        Assert.Equal(1, await recovery.RunOnce(CancellationToken.None));
        Assert.Equal(2, await _sql.Count("outbox_messages", $"correlation_id = '{queued}'"));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_saga_whose_timeout_message_was_lost_in_transit_or_parked_gets_it_again_and_completes(bool parked)
    {
        var paymentId = Guid.NewGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{paymentId}', gen_random_uuid(), 800, 'USD', 'PENDING', now(), now());
            """);
        var settings = new Dictionary<string, string?> { ["Payments:Saga:ChargeTimeout"] = "00:00:30" };

        // A process whose charge command is never answered, stopped while the timeout waits in the outbox.
        using (var first = await MessagingHost.Start(_sql.ConnectionString,
                   bus => bus.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>()
                       .PostgresRepository(), settings))
        {
            await MessagingHost.PublishThroughOutbox(first,
                [new PaymentRequested(paymentId, Guid.NewGuid(), 800, "USD", null, DateTimeOffset.UtcNow)]);
            await Sql.WaitUntil(async () => await _sql.Count("outbox_messages", $"correlation_id = '{paymentId}' AND enqueue_time IS NOT NULL") == 1,
                TimeSpan.FromSeconds(10), "the timeout to wait in the outbox");
            await first.StopAsync();
        }

        // As if the timeout had been handed to the in-memory transport and died with it, a while ago; or as if delivery had
        // given up on it: a parked row waits for an operator, so the saga would wait with it.
        await _sql.Execute(parked
            ? $"UPDATE outbox_messages SET parked_at = now(), attempts = 10 WHERE correlation_id = '{paymentId}'"
            : $"DELETE FROM outbox_messages WHERE correlation_id = '{paymentId}'");
        await _sql.Execute($"UPDATE payment_sagas SET updated_at = now() - interval '10 minutes' WHERE correlation_id = '{paymentId}'");

        using var second = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(), settings);
        var recovery = second.Services.GetServices<IHostedService>().OfType<StalledPaymentRecovery>().Single();
        Assert.Equal(1, await recovery.RunOnce(CancellationToken.None));

        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(15), "the payment to succeed once its timeout is back");
        Assert.Equal(1, await _sql.Count("payment_sagas", $"correlation_id = '{paymentId}' AND attempts = 2"));
        // Finishing the payment dropped its timers, a parked one too.
        Assert.Equal(0, await _sql.Count("outbox_messages", $"correlation_id = '{paymentId}' AND enqueue_time IS NOT NULL"));
        await second.StopAsync();
    }

    [Fact]
    public async Task A_pending_refund_whose_request_message_was_lost_is_picked_up_again_and_completes()
    {
        var paymentId = Guid.NewGuid();
        var userId = Guid.NewGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{paymentId}', '{userId}', 900, 'USD', 'PENDING', now(), now());
            """);
        using var host = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers());
        await MessagingHost.PublishThroughOutbox(host, [new PaymentRequested(paymentId, userId, 900, "USD", null, DateTimeOffset.UtcNow)]);
        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(15), "the payment to be charged");

        // Reserved and stored PENDING a while ago, but its RefundRequested never reached the saga.
        var refundId = Guid.NewGuid();
        await _sql.Execute($"""
            UPDATE payments SET refund_reserved = 300 WHERE id = '{paymentId}';
            INSERT INTO refunds (id, payment_id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{refundId}', '{paymentId}', '{userId}', 300, 'USD', 'PENDING', now() - interval '10 minutes', now() - interval '10 minutes');
            """);
        var recovery = host.Services.GetServices<IHostedService>().OfType<StalledPaymentRecovery>().Single();

        Assert.Equal(1, await recovery.RunOnce(CancellationToken.None));

        await Sql.WaitUntil(async () => await _sql.Count("refunds", $"id = '{refundId}' AND status = 'SUCCEEDED'") == 1,
            TimeSpan.FromSeconds(15), "the recovered refund to succeed");
        Assert.Equal(1, await _sql.Count("payments", $"id = '{paymentId}' AND amount_refunded = 300 AND refund_reserved = 300"));
        Assert.Equal(0, await recovery.RunOnce(CancellationToken.None));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_refund_saga_whose_timeout_message_was_lost_in_transit_gets_it_again_and_completes()
    {
        var paymentId = Guid.NewGuid();
        var userId = Guid.NewGuid();
        // The gateway's ledger outlives the processes, as a card network's would.
        var settings = new Dictionary<string, string?>
        {
            ["Payments:Saga:ChargeTimeout"] = "00:00:30",
            ["Payments:FakeGateway:LedgerConnectionString"] = _sql.ConnectionString,
        };
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{paymentId}', '{userId}', 900, 'USD', 'PENDING', now(), now());
            """);
        using (var charging = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(), settings))
        {
            await MessagingHost.PublishThroughOutbox(charging, [new PaymentRequested(paymentId, userId, 900, "USD", null, DateTimeOffset.UtcNow)]);
            await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'") == 1,
                TimeSpan.FromSeconds(15), "the payment to be charged");
            await charging.StopAsync();
        }

        // A process whose refund command is never answered (no gateway consumer), stopped while the timeout waits in the outbox.
        var refundId = Guid.NewGuid();
        await _sql.Execute($"""
            UPDATE payments SET refund_reserved = 400 WHERE id = '{paymentId}';
            INSERT INTO refunds (id, payment_id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{refundId}', '{paymentId}', '{userId}', 400, 'USD', 'PENDING', now(), now());
            """);
        using (var first = await MessagingHost.Start(_sql.ConnectionString,
                   bus => bus.AddSagaStateMachine<RefundStateMachine, RefundState, RefundStateMachineDefinition>().PostgresRepository(), settings))
        {
            await MessagingHost.PublishThroughOutbox(first, [new RefundRequested(refundId, paymentId, userId, 400, "USD", null, DateTimeOffset.UtcNow)]);
            await Sql.WaitUntil(async () => await _sql.Count("outbox_messages", $"correlation_id = '{refundId}' AND enqueue_time IS NOT NULL") == 1,
                TimeSpan.FromSeconds(10), "the refund's timeout to wait in the outbox");
            await first.StopAsync();
        }

        // As if the timeout had been handed to the in-memory transport and died with it, a while ago.
        await _sql.Execute($"DELETE FROM outbox_messages WHERE correlation_id = '{refundId}'");
        await _sql.Execute($"UPDATE refund_sagas SET updated_at = now() - interval '10 minutes' WHERE correlation_id = '{refundId}'");

        using var second = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers(), settings);
        var recovery = second.Services.GetServices<IHostedService>().OfType<StalledPaymentRecovery>().Single();
        Assert.Equal(1, await recovery.RunOnce(CancellationToken.None));

        await Sql.WaitUntil(async () => await _sql.Count("refunds", $"id = '{refundId}' AND status = 'SUCCEEDED'") == 1,
            TimeSpan.FromSeconds(15), "the refund to succeed once its timeout is back");
        Assert.Equal(1, await _sql.Count("payments", $"id = '{paymentId}' AND amount_refunded = 400 AND refund_reserved = 400"));
        Assert.Equal(0, await _sql.Count("outbox_messages", $"correlation_id = '{refundId}' AND enqueue_time IS NOT NULL"));
        await second.StopAsync();
    }
}
