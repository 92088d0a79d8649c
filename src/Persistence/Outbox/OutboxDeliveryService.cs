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
/// Hands committed outbox rows to the transport: locks a batch of due rows with <c>FOR UPDATE SKIP LOCKED</c>
/// (so several processes share the work), sends each with its original MessageId, deletes what was sent and
/// commits. A crash between send and commit re-sends on restart; the receiving inbox drops the duplicate.
/// </summary>
public sealed class OutboxDeliveryService(
    IServiceScopeFactory scopeFactory,
    IOutboxTransport transport,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDeliveryService> logger) : BackgroundService
{
    readonly OutboxOptions _options = options.Value;
    // When the earliest scheduled row falls due; unknown at start, so the first batch looks.
    DateTime? _nextScheduledDue = DateTime.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeliveryEnabled)
            return;

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await DeliverBatch(stoppingToken);
                failures = 0;
                if (batch.Delivered == _options.BatchSize)
                    continue;

                await signal.WaitAsync(batch.WaitBeforeNext(_options.PollInterval), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                failures++;
                var backoff = Backoff(failures);
                logger.LogWarning(exception, "Outbox delivery failed ({Failures} in a row); next try in {Backoff}", failures, backoff);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Delivers one batch of due rows; also used by tests to drain the outbox deterministically.</summary>
    public async Task<DeliveryBatch> DeliverBatch(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var now = DateTime.UtcNow;

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        // Two index-served claims instead of one OR: scheduled rows that fell due (when one is known to be due), then
        // rows to send now (partial index). Scheduled rows wait at the old end of the sequence (a charge timeout per
        // payment in flight), and one query ordered by sequence number had to step over all of them on every batch.
        // Both indexes leave parked rows out, so no claim steps over them either.
        var rows = new List<OutboxMessage>(_options.BatchSize);
        if (_nextScheduledDue is { } due && due <= now)
            rows.AddRange(await db.OutboxMessages
                .FromSql($"""
                          SELECT * FROM outbox_messages
                           WHERE enqueue_time <= {now} AND parked_at IS NULL
                           ORDER BY enqueue_time, sequence_number
                           LIMIT {_options.BatchSize}
                           FOR UPDATE SKIP LOCKED
                          """)
                .AsNoTracking()
                .ToListAsync(cancellationToken));
        if (rows.Count < _options.BatchSize)
            rows.AddRange(await db.OutboxMessages
                .FromSql($"""
                          SELECT * FROM outbox_messages
                           WHERE enqueue_time IS NULL AND parked_at IS NULL
                           ORDER BY sequence_number
                           LIMIT {_options.BatchSize - rows.Count}
                           FOR UPDATE SKIP LOCKED
                          """)
                .AsNoTracking()
                .ToListAsync(cancellationToken));

        var sent = await SendAll(rows, cancellationToken);
        if (sent.Count > 0)
            await db.OutboxMessages.Where(x => sent.Contains(x.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (sent.Count < rows.Count)
            throw new OutboxDeliveryException(rows.Count - sent.Count, rows.Count);

        // The earliest scheduled row nobody is sending right now (SKIP LOCKED: one in another process's batch must not
        // make this loop spin, nor may a parked one). Every commit that adds rows raises the signal and a short batch
        // follows it, so this is current; a row another process schedules in between is found within one poll interval.
        DateTime? nextDue = null;
        if (rows.Count < _options.BatchSize)
            _nextScheduledDue = nextDue = (await db.Database
                .SqlQuery<DateTime?>($"""
                                      SELECT enqueue_time AS "Value" FROM outbox_messages
                                       WHERE enqueue_time IS NOT NULL AND parked_at IS NULL
                                       ORDER BY enqueue_time
                                       LIMIT 1
                                       FOR UPDATE SKIP LOCKED
                                      """)
                .ToListAsync(cancellationToken)).FirstOrDefault();

        return new DeliveryBatch(sent.Count, nextDue);
    }

    /// <summary>How long the oldest row that is due has waited (zero when none): the outbox-lag alarm's metric. Parked rows
    /// wait for an operator, not for delivery, and do not count.</summary>
    public async Task<TimeSpan> OldestDueAge(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var seconds = await db.Database
            .SqlQuery<double>($"""
                               SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(COALESCE(enqueue_time, sent_time))), 0)::float8 AS "Value"
                                 FROM outbox_messages
                                WHERE (enqueue_time IS NULL OR enqueue_time <= now()) AND parked_at IS NULL
                               """)
            .ToListAsync(cancellationToken);
        return TimeSpan.FromSeconds(Math.Max(0, seconds.Single()));
    }

    async Task<List<long>> SendAll(List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var deliverable = new List<OutboxMessage>(rows.Count);
        foreach (var row in rows)
        {
            if (row.DestinationAddress is null)
            {
                logger.LogError("Outbox message {MessageId} ({MessageType}) has no destination address; it stays in the outbox",
                    row.MessageId, row.MessageType);
                continue;
            }
            row.Deserialize(SystemTextJsonMessageSerializer.Instance);
            deliverable.Add(row);
        }

        var result = await transport.Send(deliverable, cancellationToken);
        foreach (var failure in result.Failed)
            logger.LogWarning(failure.Exception, "Outbox message {MessageId} ({MessageType}) not sent: {Reason}; it stays for the next batch",
                failure.Message.MessageId, failure.Message.MessageType, failure.Reason);
        return result.Sent.Select(x => x.SequenceNumber).ToList();
    }

    TimeSpan Backoff(int failures)
    {
        var millis = 100 * Math.Pow(2, Math.Min(failures - 1, 16));
        return TimeSpan.FromMilliseconds(Math.Min(millis, _options.MaxBackoff.TotalMilliseconds));
    }
}

public readonly record struct DeliveryBatch(int Delivered, DateTime? NextDue)
{
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

public sealed class OutboxDeliveryException(int failed, int total)
    : Exception($"{failed} of {total} outbox messages could not be sent");
