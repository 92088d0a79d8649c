using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payments.Outbox;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>The in-memory bus as the outbox's transport reports each row as sent or failed with the reason.</summary>
public class BusOutboxTransportTests
{
    [Fact]
    public async Task A_row_the_bus_cannot_send_is_reported_with_the_reason_and_holds_back_no_other_row()
    {
        var database = await TestPostgres.CreateDatabase();
        using var host = await MessagingHost.Start(database, _ => { }, new Dictionary<string, string?> { ["Payments:Outbox:DeliveryEnabled"] = "false" });
        var transport = ActivatorUtilities.CreateInstance<BusOutboxTransport>(host.Services);

        var result = await transport.Send([Row(1, "queue:bus-transport-test"), Row(2, "unknown-scheme://nowhere/queue"), Row(3, "queue:bus-transport-test")],
            CancellationToken.None);

        Assert.Equal([1L, 3L], result.Sent.Select(r => r.SequenceNumber).Order());
        var failure = Assert.Single(result.Failed);
        Assert.Equal(2, failure.Message.SequenceNumber);
        Assert.NotNull(failure.Exception);
        Assert.Equal(OutboxSendResult.Describe(failure.Exception), failure.Reason);
        await host.StopAsync();
    }

    static OutboxMessage Row(long sequenceNumber, string destination) => new()
    {
        SequenceNumber = sequenceNumber,
        MessageId = NewId.NextGuid(),
        SentTime = DateTime.UtcNow,
        ContentType = "application/vnd.masstransit+json",
        MessageType = "urn:message:Payments.Persistence.Tests:TestPing",
        Body = $$$"""{"messageId":"{{{NewId.NextGuid()}}}","messageType":["urn:message:Payments.Persistence.Tests:TestPing"],"message":{"key":"{{{Guid.NewGuid()}}}"}}""",
        DestinationAddress = new Uri(destination),
    };
}
