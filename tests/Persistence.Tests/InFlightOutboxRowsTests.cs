using Microsoft.Extensions.Options;
using Payments.Persistence.Outbox;

namespace Payments.Persistence.Tests;

/// <summary>The sweep fills at most half of the hand-off, so the dispatcher always has room for the next steps of started payments.</summary>
public class InFlightOutboxRowsTests
{
    static InFlightOutboxRows Rows(int maxInFlight) => new(Options.Create(new OutboxOptions { MaxInFlight = maxInFlight }), new OutboxSignal());

    [Fact]
    public void The_sweep_takes_half_the_slots_and_the_dispatcher_the_rest()
    {
        var rows = Rows(8);
        Assert.Equal(4, rows.Room(10));

        var swept = Enumerable.Range(1, 8).Count(i => rows.TryAdmitSwept(i, receivers: 1));
        Assert.Equal(4, swept);
        Assert.Equal(0, rows.Room(10));

        var sent = Enumerable.Range(100, 8).Count(i => rows.TryAdmit(i, receivers: 1));
        Assert.Equal(4, sent);
        Assert.Equal(8, rows.Count);
    }

    [Fact]
    public void With_one_slot_the_sweep_still_gets_it()
    {
        var rows = Rows(1);
        Assert.Equal(1, rows.Room(10));
        Assert.True(rows.TryAdmitSwept(1, receivers: 1));
        Assert.False(rows.TryAdmit(2, receivers: 1));
    }

    [Fact]
    public void A_row_already_in_flight_is_not_taken_twice()
    {
        var rows = Rows(8);
        Assert.True(rows.TryAdmit(1, receivers: 2));
        Assert.False(rows.TryAdmitSwept(1, receivers: 2));
        rows.Abandon(1);
        Assert.True(rows.TryAdmitSwept(1, receivers: 2));
    }
}
