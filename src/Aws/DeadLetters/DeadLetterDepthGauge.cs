using System.Diagnostics.Metrics;
using Amazon.SQS;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Processing.Endpoints;
using Payments.Processing.Telemetry;

namespace Payments.Aws.DeadLetters;

/// <summary>
/// The <c>payments.dlq.depth</c> gauge: the messages waiting in each endpoint's dead-letter queue (SQS
/// <c>ApproximateNumberOfMessages</c>), one measurement per queue tagged with its name. A loop reads SQS every
/// <see cref="AwsMessagingOptions.DeadLetterDepthInterval"/> and the gauge reports that reading, so a scrape never calls SQS.
/// A queue that does not exist, or could not be read at the last refresh, reports nothing rather than a made-up zero.
/// </summary>
public sealed partial class DeadLetterDepthGauge : BackgroundService
{
    readonly DeadLetterQueues _queues;
    readonly IReadOnlyList<string> _names;
    readonly TimeSpan _interval;
    readonly ILogger<DeadLetterDepthGauge> _logger;
    volatile IReadOnlyDictionary<string, int> _depths = new Dictionary<string, int>();

    public DeadLetterDepthGauge(IAmazonSQS sqs, IOptions<AwsMessagingOptions> options, IEnumerable<MessageEndpoint> topology, IMeterFactory meters,
        ILogger<DeadLetterDepthGauge> logger)
    {
        _queues = new DeadLetterQueues(sqs, options.Value);
        _names = topology.Select(e => _queues.DeadLetterQueueName(e.Queue)).Distinct().ToList();
        _interval = options.Value.DeadLetterDepthInterval;
        _logger = logger;
        meters.Create(PaymentsMeter.Name).CreateObservableGauge(PaymentsMeter.DeadLetterDepth, Observe, "{message}",
            "Messages waiting in a dead-letter queue (SQS ApproximateNumberOfMessages) at the last refresh");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
            await Refresh(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Reads every dead-letter queue's depth once; a queue that cannot be read drops out until it can.</summary>
    public async Task Refresh(CancellationToken cancellationToken)
    {
        var depths = new Dictionary<string, int>();
        foreach (var name in _names)
        {
            try
            {
                if (await _queues.Depth(name, cancellationToken) is { } depth)
                    depths[name] = depth.Visible;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogUnreadable(_logger, e, name);
            }
        }
        _depths = depths;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the depth of the dead-letter queue {Queue}")]
    static partial void LogUnreadable(ILogger logger, Exception exception, string queue);

    IEnumerable<Measurement<int>> Observe() =>
        _depths.Select(d => new Measurement<int>(d.Value, new KeyValuePair<string, object?>(PaymentsMeter.QueueTag, d.Key)));
}
