using System.Data;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Outbox;

namespace Payments.Persistence.Outbox;

/// <summary>
/// The sweep: hands the transport the rows nobody else did. Committed rows are sent at once from memory
/// (<see cref="OutboxDispatcher"/>); this loop takes what that left behind (a crash, a failed send, a full hand-off) once it
/// is <see cref="OutboxOptions.SweepGrace"/> old, and scheduled rows once due. It locks a batch with
/// <c>FOR UPDATE SKIP LOCKED</c> (so several processes share the work), sends each row with its original MessageId and,
/// with a durable transport, deletes what was sent and commits; a crash between send and commit re-sends on restart and
/// the receiving inbox drops the duplicate. With the in-memory transport a sent row stays until its consumers delete it
/// (so a crash loses nothing), no more than <see cref="OutboxOptions.MaxInFlight"/> rows are in the consumers' hands at a
/// time, and each hand-over counts as an attempt: a message its consumers keep failing on is parked like a row the
/// transport refuses.
/// A row that fails keeps its attempt count and last error and is parked after <see cref="OutboxOptions.MaxAttempts"/>
/// tries (at once when it can never be sent), so a poison row never holds up the others.
/// </summary>
public sealed partial class OutboxDeliveryService(
    IServiceScopeFactory scopeFactory,
    IOutboxTransport transport,
    OutboxReceivers receivers,
    InFlightOutboxRows inFlight,
    OutboxSignal signal,
    OutboxMetrics metrics,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDeliveryService> logger) : BackgroundService
{
    const int LastErrorLength = 2000;
    static readonly TimeSpan ParkedCountInterval = TimeSpan.FromMinutes(1);
    /// <summary>How often the backlog gauges are refreshed: a quarter of OpenTelemetry's default export interval.</summary>
    public static readonly TimeSpan BacklogInterval = TimeSpan.FromSeconds(15);

    readonly OutboxOptions _options = options.Value;
    // When the earliest scheduled row falls due; unknown at start, so the first batch looks.
    DateTime? _nextScheduledDue = DateTime.MinValue;
    readonly Lock _dueGate = new();
    volatile bool _scheduleMovedUp;
    DateTime _parkedCountedAt = DateTime.MinValue;
    DateTime _backlogMeasuredAt = DateTime.MinValue;
    long? _parkedLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeliveryEnabled)
            return;

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow - _parkedCountedAt >= ParkedCountInterval)
                    await CountParked(stoppingToken);
                if (DateTime.UtcNow - _backlogMeasuredAt >= BacklogInterval)
                    await MeasureBacklog(stoppingToken);

                var batch = await DeliverBatch(stoppingToken, _options.SweepGrace);
                if (batch.NothingAccepted)
                {
                    // The transport took none of the rows it was given: most likely it is down, so wait as after a database
                    // failure. Rows then gain attempts only at the back-off's pace, and an outage shorter than
                    // OutageBeforeParking (about 51 s with the defaults) parks nothing.
                    await BackOff(++failures, null, $"Outbox transport accepted none of {batch.Refused} messages", stoppingToken);
                    continue;
                }
                failures = 0;
                // A full claim means more may be waiting, even when some rows of it failed: the next batch follows at once.
                if (batch.Claimed == _options.BatchSize)
                    continue;

                await WaitForWork(batch, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                await BackOff(++failures, exception, "Outbox delivery failed", stoppingToken);
            }
        }
    }

    /// <summary>
    /// A transaction committed a scheduled row (the dispatcher saw it): when it is due sooner than any row known, the wait
    /// is shortened to its due time. No query, no batch: most timers are deleted by the payment's end before they fall due.
    /// </summary>
    public void ScheduledRowCommitted(DateTime due)
    {
        lock (_dueGate)
        {
            if (_nextScheduledDue is { } known && known <= due)
                return;
            _nextScheduledDue = due;
        }
        _scheduleMovedUp = true;
        signal.Raise();
    }

    DateTime? NextScheduledDue
    {
        get
        {
            lock (_dueGate)
                return _nextScheduledDue;
        }
        set
        {
            lock (_dueGate)
                _nextScheduledDue = value;
        }
    }

    /// <summary>Until the poll interval is over, the next scheduled row is due, or the signal says there is work.</summary>
    async Task WaitForWork(DeliveryBatch batch, CancellationToken stoppingToken)
    {
        var pollAt = DateTime.UtcNow + _options.PollInterval;
        var wait = batch.WaitBeforeNext(_options.PollInterval);
        while (wait > TimeSpan.Zero && await signal.WaitAsync(wait, stoppingToken) && _scheduleMovedUp)
        {
            _scheduleMovedUp = false;
            var untilPoll = pollAt - DateTime.UtcNow;
            var untilDue = NextScheduledDue is { } due ? due - DateTime.UtcNow : untilPoll;
            wait = untilDue < untilPoll ? untilDue : untilPoll;
        }
    }

    async Task BackOff(int failures, Exception? exception, string what, CancellationToken stoppingToken)
    {
        var backoff = _options.Backoff(failures);
        LogBackingOff(logger, exception, what, failures, backoff);
        await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Delivers one batch of due rows, those ready to send only when at least <paramref name="olderThan"/> old; also used by
    /// the Lambda worker (where no dispatcher runs between invocations) and by tests to drain the outbox deterministically.
    /// </summary>
    public async Task<DeliveryBatch> DeliverBatch(CancellationToken cancellationToken, TimeSpan olderThan = default)
    {
        // With the in-memory transport: no more than the free in-flight slots, and never a row already in the consumers' hands.
        var limit = transport.Durable ? _options.BatchSize : Math.Min(_options.BatchSize, inFlight.Room(_options.BatchSize));
        long[] inHand = transport.Durable ? [] : inFlight.SequenceNumbers();
        if (limit == 0)
            return new DeliveryBatch(0, 0, 0, NextScheduledDue);

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var now = DateTime.UtcNow;
        var writtenBefore = now - olderThan;

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        // Two index-served claims instead of one OR: scheduled rows that fell due (when one is known to be due), then
        // rows to send now (partial index). Scheduled rows wait at the old end of the sequence (a charge timeout per
        // payment in flight), and one query ordered by sequence number had to step over all of them on every batch.
        // Both indexes leave parked rows out, so no claim steps over them either.
        var rows = new List<OutboxMessage>(limit);
        if (NextScheduledDue is { } due && due <= now)
            rows.AddRange(await db.OutboxMessages
                .FromSql($"""
                          SELECT * FROM outbox_messages
                           WHERE enqueue_time <= {now} AND parked_at IS NULL AND sequence_number <> ALL({inHand})
                           ORDER BY enqueue_time, sequence_number
                           LIMIT {limit}
                           FOR UPDATE SKIP LOCKED
                          """)
                .AsNoTracking()
                .ToListAsync(cancellationToken));
        if (rows.Count < limit)
            rows.AddRange(await db.OutboxMessages
                .FromSql($"""
                          SELECT * FROM outbox_messages
                           WHERE enqueue_time IS NULL AND parked_at IS NULL AND sent_time <= {writtenBefore}
                             AND sequence_number <> ALL({inHand})
                           ORDER BY sequence_number
                           LIMIT {limit - rows.Count}
                           FOR UPDATE SKIP LOCKED
                          """)
                .AsNoTracking()
                .ToListAsync(cancellationToken));

        var (sent, failed) = await SendAll(rows, cancellationToken);
        var done = transport.Durable ? sent.Select(r => r.Row.SequenceNumber).ToList() : sent.Where(r => r.Receivers == 0).Select(r => r.Row.SequenceNumber).ToList();
        List<long> handedOver = transport.Durable ? [] : sent.Where(r => r.Receivers > 0).Select(r => r.Row.SequenceNumber).ToList();
        if (done.Count > 0)
            await db.OutboxMessages.Where(x => done.Contains(x.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
        if (handedOver.Count > 0)
            await db.OutboxMessages.Where(x => handedOver.Contains(x.SequenceNumber))
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Attempts, x => x.Attempts + 1), cancellationToken);
        var parked = failed.Count > 0 ? await RecordFailures(db, failed, cancellationToken) : [];
        await transaction.CommitAsync(cancellationToken);

        if (failed.Count > 0)
            ReportFailures(failed, rows.Count, parked);
        if (parked.Count > 0)
            await CountParked(cancellationToken);

        // The earliest scheduled row nobody is sending right now (SKIP LOCKED: one in another process's batch must not
        // make this loop spin, nor may a parked one, nor one in this process's consumers' hands). Every batch that comes
        // back short looks again, so a row scheduled since is found within one poll interval.
        DateTime? nextDue = null;
        if (rows.Count < limit)
            NextScheduledDue = nextDue = (await db.Database
                .SqlQuery<DateTime?>($"""
                                      SELECT enqueue_time AS "Value" FROM outbox_messages
                                       WHERE enqueue_time IS NOT NULL AND parked_at IS NULL AND sequence_number <> ALL({inHand})
                                       ORDER BY enqueue_time
                                       LIMIT 1
                                       FOR UPDATE SKIP LOCKED
                                      """)
                .ToListAsync(cancellationToken)).FirstOrDefault();

        return new DeliveryBatch(rows.Count, sent.Count, failed.Count(f => !f.Unsendable), nextDue);
    }

    /// <summary>
    /// Measures the rows due for delivery (parked rows wait for an operator instead, see <see cref="CountParked"/>) for the
    /// <c>payments.outbox.due</c> and <c>payments.outbox.oldest_due_age</c> gauges; the age is also the outbox-lag alarm's
    /// metric on Lambda. The delivery loop calls it every <see cref="BacklogInterval"/>, never a scrape: each part of the
    /// statement is served by its partial index, and its cost grows with the backlog only, which is small while delivery
    /// keeps up.
    /// </summary>
    public async Task<OutboxBacklog> MeasureBacklog(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var measured = await db.Database
            .SqlQuery<BacklogRow>($"""
                                   SELECT count(*) AS "Due", COALESCE(EXTRACT(EPOCH FROM now() - min(waiting_since)), 0)::float8 AS "OldestSeconds"
                                     FROM (SELECT sent_time AS waiting_since FROM outbox_messages
                                            WHERE enqueue_time IS NULL AND parked_at IS NULL
                                           UNION ALL
                                           SELECT enqueue_time FROM outbox_messages
                                            WHERE enqueue_time <= now() AND parked_at IS NULL) AS due
                                   """)
            .ToListAsync(cancellationToken);
        var backlog = new OutboxBacklog(measured.Single().Due, TimeSpan.FromSeconds(Math.Max(0, measured.Single().OldestSeconds)));
        _backlogMeasuredAt = DateTime.UtcNow;
        metrics.BacklogNow(backlog);
        return backlog;
    }

    sealed record BacklogRow(long Due, double OldestSeconds);

    /// <summary>Counts the parked rows for the <c>payments.outbox.parked</c> gauge and logs the count when it changed.
    /// The delivery loop calls it every minute and after parking rows.</summary>
    public async Task<long> CountParked(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var count = await scope.ServiceProvider.GetRequiredService<ParkedOutboxRows>().Count(cancellationToken);
        _parkedCountedAt = DateTime.UtcNow;
        metrics.ParkedNow(count);
        if (count != _parkedLogged)
        {
            if (count > 0)
                LogRowsParked(logger, count);
            else if (_parkedLogged is not null)
                LogNoRowsParked(logger);
            _parkedLogged = count;
        }
        return count;
    }

    async Task<(List<SentRow> Sent, List<RowFailure> Failed)> SendAll(List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var failed = new List<RowFailure>();
        var deliverable = new List<OutboxMessage>(rows.Count);
        var receiversOf = new Dictionary<long, int>(rows.Count);
        foreach (var row in rows)
        {
            // No try can fix these: they are parked at once rather than retried.
            if (row.DestinationAddress is null)
            {
                failed.Add(new RowFailure(row, "no destination address", null, Unsendable: true));
                continue;
            }
            try
            {
                row.Deserialize(SystemTextJsonMessageSerializer.Instance);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed.Add(new RowFailure(row, $"unreadable headers or properties: {OutboxSendResult.Describe(e)}", e, Unsendable: true));
                continue;
            }
            if (!transport.Durable && receivers.Count(row.MessageType) is var count and > 0)
            {
                if (row.Attempts >= _options.MaxAttempts)
                {
                    failed.Add(new RowFailure(row, $"handed to its consumers {row.Attempts} times and never consumed", null, Unsendable: true,
                        Counted: true));
                    continue;
                }
                // Taken by the dispatcher since the claim (it is being sent already), or the sweep's half of the slots is full.
                if (!inFlight.TryAdmitSwept(row.SequenceNumber, count))
                    continue;
                OutboxRowHeaders.Stamp(row, count);
                receiversOf[row.SequenceNumber] = count;
            }
            deliverable.Add(row);
        }
        if (deliverable.Count == 0)
            return ([], failed);

        using var spans = OutboxDeliverySpans.Start(deliverable);
        OutboxSendResult result;
        try
        {
            result = await transport.Send(deliverable, cancellationToken);
        }
        catch
        {
            // Stopped or broken mid-send: which rows went out is unknown, so their slots are given back (a row sent after all
            // is consumed as usual; one sent again is dropped by the inbox). A slot kept would hide its row from every sweep.
            inFlight.Abandon(receiversOf.Keys);
            throw;
        }
        var sent = result.Sent.Select(x => x.SequenceNumber).ToHashSet();
        var reasons = result.Failed.DistinctBy(f => f.Message.SequenceNumber).ToDictionary(f => f.Message.SequenceNumber);
        foreach (var row in deliverable.Where(r => !sent.Contains(r.SequenceNumber)))
        {
            var failure = reasons.TryGetValue(row.SequenceNumber, out var refused)
                ? new RowFailure(row, refused.Reason, refused.Exception, Unsendable: false)
                : new RowFailure(row, "the transport did not report it as sent", null, Unsendable: false);
            spans.Failed(row, failure.Reason);
            failed.Add(failure);
            if (receiversOf.ContainsKey(row.SequenceNumber))
                inFlight.Abandon(row.SequenceNumber);
        }
        return (deliverable.Where(r => sent.Contains(r.SequenceNumber)).Select(r => new SentRow(r, receiversOf.GetValueOrDefault(r.SequenceNumber))).ToList(),
            failed);
    }

    readonly record struct SentRow(OutboxMessage Row, int Receivers);

    /// <summary>Counts an attempt on each failed row, keeps its error, and parks those out of tries; in the batch's transaction.</summary>
    async Task<List<OutboxMessage>> RecordFailures(PaymentsDbContext db, List<RowFailure> failed, CancellationToken cancellationToken)
    {
        var parked = new List<OutboxMessage>();
        var now = DateTime.UtcNow;
        foreach (var (row, reason, _, unsendable, counted) in failed)
        {
            db.OutboxMessages.Attach(row);
            if (!counted)
                row.Attempts++;
            row.LastError = reason.Length <= LastErrorLength ? reason : reason[..LastErrorLength];
            if (unsendable || row.Attempts >= _options.MaxAttempts)
            {
                row.ParkedAt = now;
                parked.Add(row);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return parked;
    }

    void ReportFailures(List<RowFailure> failed, int claimed, List<OutboxMessage> parked)
    {
        var first = failed[0];
        LogNotSent(logger, first.Exception, failed.Count, claimed, first.Row.MessageId, first.Row.MessageType, first.Reason);
        foreach (var row in parked)
            LogRowParked(logger, row.MessageId, row.MessageType, row.DestinationAddress, row.Attempts, row.LastError, row.SequenceNumber);
        if (parked.Count > 0)
            metrics.RowsParked(parked.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} ({Failures} in a row); next try in {Backoff}")]
    static partial void LogBackingOff(ILogger logger, Exception? exception, string what, int failures, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Parked} outbox rows are parked: `outbox parked` lists them, `outbox retry` re-queues them")]
    static partial void LogRowsParked(ILogger logger, long parked);

    [LoggerMessage(Level = LogLevel.Information, Message = "No outbox rows are parked any more")]
    static partial void LogNoRowsParked(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} of {Claimed} outbox messages not sent, e.g. {MessageId} ({MessageType}): {Reason}")]
    static partial void LogNotSent(ILogger logger, Exception? exception, int failed, int claimed, Guid messageId, string messageType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parked outbox message {MessageId} ({MessageType}) to {DestinationAddress} after {Attempts} attempts: {LastError}. " +
        "`outbox parked` lists it, `outbox retry --id {SequenceNumber}` re-queues it")]
    static partial void LogRowParked(ILogger logger, Guid messageId, string messageType, Uri? destinationAddress, int attempts, string? lastError, long sequenceNumber);

    /// <param name="Counted">The row's attempts already count every try (hand-overs its consumers never finished).</param>
    sealed record RowFailure(OutboxMessage Row, string Reason, Exception? Exception, bool Unsendable, bool Counted = false);
}

/// <summary>What one batch did: rows claimed, sent (and deleted, or handed to the consumers), refused by the transport; when the next scheduled row is due.</summary>
public readonly record struct DeliveryBatch(int Claimed, int Delivered, int Refused, DateTime? NextDue)
{
    /// <summary>The transport was handed rows and took none: it is most likely down, and the caller should back off.</summary>
    public bool NothingAccepted => Refused > 0 && Delivered == 0;

    public TimeSpan WaitBeforeNext(TimeSpan pollInterval)
    {
        if (NextDue is not { } due)
            return pollInterval;
        var untilDue = due - DateTime.UtcNow;
        if (untilDue <= TimeSpan.Zero)
            return TimeSpan.Zero;
        return untilDue < pollInterval ? untilDue : pollInterval;
    }
}
