using MassTransit;
using Microsoft.Extensions.Options;

namespace Payments.Persistence.Outbox;

/// <summary>
/// The rows handed to a transport that keeps nothing over a crash (in-memory) whose consumers have not all finished with
/// them yet, at most <see cref="OutboxOptions.MaxInFlight"/>: the bound on what waits in memory. A slot frees when every
/// consumer endpoint finished the message (consumed, or faulted after its retries: the row then stays, and the sweep hands
/// it over again and counts the attempt). The sweep leaves the rows in flight here alone.
/// </summary>
public sealed class InFlightOutboxRows(IOptions<OutboxOptions> options, OutboxSignal signal) : IReceiveObserver
{
    readonly int _capacity = options.Value.MaxInFlight;
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

    /// <summary>Takes a slot for a row about to be handed over; false when all are taken or the row is already in flight.</summary>
    public bool TryAdmit(long sequenceNumber, int receivers)
    {
        lock (_gate)
            return _receivesLeft.Count < _capacity && _receivesLeft.TryAdd(sequenceNumber, receivers);
    }

    /// <summary>
    /// Free slots for the sweep. When there are fewer than it could use, it is woken once half the slots are free again,
    /// rather than at its next poll.
    /// </summary>
    public int Room(int wanted)
    {
        lock (_gate)
        {
            var room = _capacity - _receivesLeft.Count;
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
    public void Abandon(long sequenceNumber)
    {
        lock (_gate)
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
            if (_sweepWaiting && _receivesLeft.Count <= _capacity / 2)
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
