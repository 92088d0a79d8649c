using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payments.Persistence;

namespace Payments.Persistence.Tests;

public record TestPing(Guid Key);

/// <summary>
/// Records its effect in <c>test_effects</c> inside the inbox transaction, the way a real consumer's writes
/// commit: a duplicate that got past the inbox would show as a second row.
/// </summary>
public sealed class TestPingConsumer(PaymentsDbContext db) : IConsumer<TestPing>
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS test_effects (key uuid NOT NULL, message_id uuid NOT NULL)";

    public async Task Consume(ConsumeContext<TestPing> context) =>
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO test_effects (key, message_id) VALUES ({context.Message.Key}, {context.MessageId})", context.CancellationToken);
}

/// <summary>Counts messages as the transport hands them over, duplicates included.</summary>
public sealed class ReceiveCounter : IReceiveObserver
{
    int _received;
    public int Received => _received;

    public Task PreReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _received);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;
    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;
    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;
    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
