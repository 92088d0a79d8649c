using Amazon.SQS;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Payments.Aws.Sqs;

/// <summary>
/// Runs a receiver per hosted endpoint queue. On shutdown it stops receiving, lets in-flight messages finish
/// for <see cref="AwsMessagingOptions.ShutdownGrace"/>, then aborts and releases the rest for redelivery.
/// </summary>
public sealed class SqsReceiveService(IAmazonSQS sqs, SqsTopology topology, SqsMessageDispatcher dispatcher,
    IOptions<AwsMessagingOptions> options, ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    readonly CancellationTokenSource _stopReceiving = new();
    readonly CancellationTokenSource _abortProcessing = new();
    Task _running = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<SqsReceiveService>();
        _running = Task.WhenAll(topology.Endpoints.Select(endpoint =>
            Task.Run(() => new SqsQueueReceiver(endpoint.Queue, sqs, topology, dispatcher, options.Value, logger)
                .Run(_stopReceiving.Token, _abortProcessing.Token), CancellationToken.None)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopReceiving.CancelAsync();
        _abortProcessing.CancelAfter(options.Value.ShutdownGrace);
        await _running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _stopReceiving.Dispose();
        _abortProcessing.Dispose();
    }
}
