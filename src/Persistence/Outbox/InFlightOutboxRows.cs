using MassTransit;
using Microsoft.Extensions.Options;

namespace Payments.Persistence.Outbox;

/// <summary>
/// The rows handed to a transport that keeps nothing over a crash (in-memory) whose consumers have not all finished with
/// them yet, at most <see cref="OutboxOptions.MaxInFlight"/>: the bound on what waits in memory. A slot frees when every
/// consumer endpoint finished the message (consumed, or faulted after its retries: the row then stays, and the sweep hands
/// it over again and counts the attempt). The sweep leaves the rows in flight here alone, and may fill only half the slots:
/// the other half stays free for what the dispatcher sends as transactions commit — the next steps of payments already
/// started — so a deep backlog of new work the sweep hands over cannot starve them (they would otherwise wait behind it,
/// since the sweep takes the oldest rows first).
/// </summary>
public sealed class InFlightOutboxRows(IOptions<OutboxOptions> options, OutboxSignal signal) : IReceiveObserver
{
    readonly int _capacity = options.Value.MaxInFlight;
    readonly int _sweepCapacity = Math.Max(1, options.Value.MaxInFlight / 2);
    readonly Lock _gate = new();
    readonly Dictionary<long, int> _receivesLeft = [];
    bool _sweepWaiting;

    public int Count
    {
        get
        {
            lock (_gate)
                return _receivesLeft.Count;
        }
    }

    /// <summary>Takes a slot for a row the dispatcher is about to hand over; false when all are taken or the row is already in flight.</summary>
    public bool TryAdmit(long sequenceNumber, int receivers) => TryAdmit(sequenceNumber, receivers, _capacity);

    /// <summary>Takes a slot for a row the sweep is about to hand over; false past the sweep's half or when the row is already in flight.</summary>
    public bool TryAdmitSwept(long sequenceNumber, int receivers) => TryAdmit(sequenceNumber, receivers, _sweepCapacity);

    bool TryAdmit(long sequenceNumber, int receivers, int capacity)
    {
        lock (_gate)
            return _receivesLeft.Count < capacity && _receivesLeft.TryAdd(sequenceNumber, receivers);
    }

    /// <summary>
    /// Free slots for the sweep, within its half. When there are fewer than it could use, it is woken once half of its
    /// slots are free again, rather than at its next poll.
    /// </summary>
    public int Room(int wanted)
    {
        lock (_gate)
        {
            var room = _sweepCapacity - _receivesLeft.Count;
            _sweepWaiting = room < wanted;
            return Math.Max(room, 0);
        }
    }

    public long[] SequenceNumbers()
    {
        lock (_gate)
            return [.. _receivesLeft.Keys];
    }

    /// <summary>Gives the slot back: the row was not handed over after all (the send failed).</summary>
    public void Abandon(long sequenceNumber) => Abandon([sequenceNumber]);

    public void Abandon(IEnumerable<long> sequenceNumbers)
    {
        lock (_gate)
            foreach (var sequenceNumber in sequenceNumbers)
                _receivesLeft.Remove(sequenceNumber);
    }

    void Finished(ReceiveContext context)
    {
        if (OutboxRowHeaders.Read(context.TransportHeaders) is not { } row)
            return;
        var wake = false;
        lock (_gate)
        {
            if (!_receivesLeft.TryGetValue(row.SequenceNumber, out var left))
                return;
            if (left > 1)
                _receivesLeft[row.SequenceNumber] = left - 1;
            else
                _receivesLeft.Remove(row.SequenceNumber);
            if (_sweepWaiting && _receivesLeft.Count <= _sweepCapacity / 2)
            {
                _sweepWaiting = false;
                wake = true;
            }
        }
        if (wake)
            signal.Raise();
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Finished(context);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class =>
        Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class =>
        Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Finished(context);
        return Task.CompletedTask;
    }
}
