using System.Threading.Channels;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Outbox;

namespace Payments.Persistence.Outbox;

/// <summary>
/// Sends the rows a transaction wrote to the outbox straight after it committed, from memory, instead of reading them back:
/// the commit is the only transaction a message costs on its way out. With a durable transport (a broker) the rows sent
/// are then deleted, many at once (one statement per <see cref="DeleteLinger"/> at most). With the in-memory transport a
/// row stays until its consumers have consumed it and delete it in their inbox transaction, and at most
/// <see cref="OutboxOptions.MaxInFlight"/> messages are handed over at a time. Whatever is not sent here (the process
/// stopped or crashed first, the send failed, the hand-off was full) stays in Postgres and the sweep
/// (<see cref="OutboxDeliveryService"/>) sends it once it is <see cref="OutboxOptions.SweepGrace"/> old.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopeFactory,
    IOutboxTransport transport,
    OutboxReceivers receivers,
    InFlightOutboxRows inFlight,
    OutboxDeliveryService sweep,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    /// <summary>How long sent rows may wait to be deleted together: a few per statement at low rates, hundreds under load.</summary>
    public static readonly TimeSpan DeleteLinger = TimeSpan.FromMilliseconds(50);

    // Rows waiting to be sent; bounded so that a transport slower than the writers leaves the rest to the sweep.
    readonly Channel<Committed> _committed = Channel.CreateBounded<Committed>(new BoundedChannelOptions(Math.Max(options.Value.MaxInFlight, 10_000))
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });
    readonly OutboxOptions _options = options.Value;
    readonly List<long> _toDelete = [];
    volatile bool _running;

    readonly record struct Committed(OutboxMessage Row, int Receivers);

    /// <summary>
    /// Called once a transaction that wrote these rows committed; never waits. Scheduled rows are the sweep's: it only
    /// learns when the next one is due.
    /// </summary>
    public void Send(IEnumerable<OutboxMessage> rows)
    {
        if (!_running)
            return;
        foreach (var row in rows)
        {
            if (row.EnqueueTime is { } due)
                sweep.ScheduledRowCommitted(due);
            if (row.EnqueueTime is not null || row.SequenceNumber == 0)
                continue;
            var count = transport.Durable ? 0 : receivers.Count(row.MessageType);
            if (!transport.Durable && count > 0 && !inFlight.TryAdmit(row.SequenceNumber, count))
                continue;
            if (!_committed.Writer.TryWrite(new Committed(row, count)) && !transport.Durable)
                inFlight.Abandon(row.SequenceNumber);
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _running = _options.DeliveryEnabled;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeliveryEnabled)
            return;
        var reader = _committed.Reader;
        var batch = new List<Committed>(_options.BatchSize);
        var lastDelete = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!reader.TryPeek(out _))
                {
                    // Nothing to send: wait for rows, or until the sent rows' deletion is due.
                    var timeout = _toDelete.Count == 0 ? Timeout.InfiniteTimeSpan : lastDelete + DeleteLinger - DateTime.UtcNow;
                    if (timeout == Timeout.InfiniteTimeSpan || timeout > TimeSpan.Zero)
                        await WaitForRows(reader, timeout, stoppingToken);
                }

                batch.Clear();
                while (batch.Count < _options.BatchSize && reader.TryRead(out var next))
                    batch.Add(next);
                if (batch.Count > 0)
                    await SendBatch(batch, stoppingToken);

                if (_toDelete.Count >= _options.BatchSize || (_toDelete.Count > 0 && DateTime.UtcNow - lastDelete >= DeleteLinger))
                {
                    await DeleteSent(stoppingToken);
                    lastDelete = DateTime.UtcNow;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Whatever this batch left in the outbox the sweep sends after the grace; nothing is lost by going on.
                LogFailed(logger, exception);
                _toDelete.Clear();
            }
        }
        foreach (var left in DrainUnsent())
            if (!transport.Durable)
                inFlight.Abandon(left.Row.SequenceNumber);
        if (_toDelete.Count > 0)
        {
            // Best effort: a row left here is sent again by the sweep, and the inbox drops the duplicate.
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await DeleteSent(bounded.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    static async Task WaitForRows(ChannelReader<Committed> reader, TimeSpan timeout, CancellationToken stoppingToken)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await reader.WaitToReadAsync(stoppingToken);
            return;
        }
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        linger.CancelAfter(timeout);
        try
        {
            await reader.WaitToReadAsync(linger.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // the linger ran out: time to delete what was sent
        }
    }

    IEnumerable<Committed> DrainUnsent()
    {
        while (_committed.Reader.TryRead(out var left))
            yield return left;
    }

    async Task SendBatch(List<Committed> batch, CancellationToken cancellationToken)
    {
        var rows = new List<OutboxMessage>(batch.Count);
        foreach (var (row, count) in batch)
        {
            try
            {
                row.Deserialize(SystemTextJsonMessageSerializer.Instance);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The sweep parks it with the reason.
                if (!transport.Durable)
                    inFlight.Abandon(row.SequenceNumber);
                continue;
            }
            if (!transport.Durable)
                OutboxRowHeaders.Stamp(row, count);
            rows.Add(row);
        }

        OutboxSendResult result;
        try
        {
            using var spans = OutboxDeliverySpans.Start(rows);
            result = await transport.Send(rows, cancellationToken);
        }
        catch when (!transport.Durable)
        {
            // As in the sweep: a slot kept for a row whose send is unknown would hide it from every sweep.
            inFlight.Abandon(rows.Select(r => r.SequenceNumber));
            throw;
        }

        var counts = batch.ToDictionary(c => c.Row.SequenceNumber, c => c.Receivers);
        foreach (var sent in result.Sent)
            if (transport.Durable || counts[sent.SequenceNumber] == 0)
                _toDelete.Add(sent.SequenceNumber);
        var accepted = result.Sent.Select(r => r.SequenceNumber).ToHashSet();
        foreach (var row in rows.Where(r => !accepted.Contains(r.SequenceNumber)))
            if (!transport.Durable)
                inFlight.Abandon(row.SequenceNumber);
        if (result.Failed.FirstOrDefault() is { } failed)
            LogNotSent(logger, result.Failed.Count, rows.Count, failed.Reason);
    }

    async Task DeleteSent(CancellationToken cancellationToken)
    {
        var sent = _toDelete.ToArray();
        _toDelete.Clear();
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await db.OutboxMessages.Where(x => sent.Contains(x.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending committed outbox rows failed; the sweep sends what is left")]
    static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Failed} of {Count} committed outbox messages not sent at once ({Reason}); the sweep retries them")]
    static partial void LogNotSent(ILogger logger, int failed, int count, string reason);
}
