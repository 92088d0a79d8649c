using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Payments.Outbox;

namespace Payments.Persistence.Outbox;

/// <summary>
/// Writes one message to the outbox in a transaction of its own, sent once saved (<see cref="OutboxCommitHook"/>): for a send or publish that no
/// transaction of ours surrounds. It is durable once this returns.
/// </summary>
public sealed class OutboxAppender(IServiceScopeFactory scopes)
{
    public async Task Append<T>(SendContext<T> context)
        where T : class
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        db.AddOutboxMessage(OutboxMessage.From(context, SystemTextJsonMessageSerializer.Instance));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
