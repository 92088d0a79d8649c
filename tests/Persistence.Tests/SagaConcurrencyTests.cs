using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Messaging;
using Payments.Processing.Gateway;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>Two worker processes racing on one payment: the saga row lock and the retry on 23505 keep it one saga.</summary>
public class SagaConcurrencyTests : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync() => _sql = new Sql(await TestPostgres.CreateDatabase());
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Duplicate_requests_racing_in_two_processes_create_one_saga_and_one_charge()
    {
        var paymentId = NewId.NextSequentialGuid();
        await _sql.Execute($"""
            INSERT INTO payments (id, user_id, amount, currency, status, created_at, updated_at)
            VALUES ('{paymentId}', gen_random_uuid(), 700, 'USD', 'PENDING', now(), now())
            """);
        using var a = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers());
        using var b = await MessagingHost.Start(_sql.ConnectionString, bus => bus.AddPaymentWorkers());
        var request = new PaymentRequested(paymentId, Guid.NewGuid(), 700, "USD", null, DateTimeOffset.UtcNow);

        // Distinct MessageIds: the inbox cannot help, only the saga's own correlation can.
        var messageIds = Enumerable.Range(0, 20).Select(_ => NewId.NextGuid()).ToList();
        await Task.WhenAll(messageIds.Select((id, i) =>
            (i % 2 == 0 ? a : b).Services.GetRequiredService<IBus>().Publish(request, c => c.MessageId = id)));

        var ids = string.Join(",", messageIds.Select(id => $"'{id}'"));
        await Sql.WaitUntil(async () => await _sql.Count("inbox_states", $"message_id IN ({ids}) AND consumed IS NOT NULL") == 20,
            TimeSpan.FromSeconds(20), "every duplicate to be consumed without a fault");
        await Sql.WaitUntil(async () => await _sql.Count("payments", $"id = '{paymentId}' AND status = 'SUCCESS'") == 1,
            TimeSpan.FromSeconds(20), "the payment to succeed");

        Assert.Equal(1, await _sql.Count("payment_sagas", $"correlation_id = '{paymentId}' AND attempts = 1"));
        // The racers that lost rolled back their history with their insert: one charge sent, one approved, one success.
        Assert.Equal(["charge.requested", "charge.approved", "payment.succeeded"],
            await _sql.Query($"SELECT type FROM payment_events WHERE payment_id = '{paymentId}' ORDER BY id", r => r.GetString(0)));
        var calls = a.Services.GetRequiredService<ChargeLedger>().Calls + b.Services.GetRequiredService<ChargeLedger>().Calls;
        Assert.Equal(1, calls);
        await a.StopAsync();
        await b.StopAsync();
    }
}
