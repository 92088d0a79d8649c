using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit.Transports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PaymentEventsConsumer.Sqs;

/// <summary>
/// Long-polls this service's queue and hands each message, a MassTransit envelope, to the consumers' MassTransit
/// pipeline. A message is deleted only after its consumer succeeded; one that faults reappears after the visibility
/// timeout (and, after the queue's maxReceiveCount, moves to its dead-letter queue). MassTransit.AmazonSQS would do
/// this; it is not available here.
/// </summary>
public sealed partial class SqsPaymentEventsReceiver(IAmazonSQS sqs, IReceiveEndpointDispatcherFactory dispatchers,
    EmulatorSubscription subscription, SqsOptions options, ILogger<SqsPaymentEventsReceiver> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = options.EntityPrefix + options.Queue;
        string queueUrl;
        if (options.SubscribeOnStart)
        {
            queueUrl = (await sqs.CreateQueueAsync(queue, stoppingToken)).QueueUrl;
            await subscription.Subscribe(queueUrl, stoppingToken);
        }
        else
            queueUrl = (await sqs.GetQueueUrlAsync(queue, stoppingToken)).QueueUrl;

        // One pipeline with every registered consumer; MassTransit picks the consumer by the envelope's messageType.
        var dispatcher = dispatchers.CreateReceiver(options.Queue);
        LogListening(logger, queue, string.Join(", ", EmulatorSubscription.Topics.Select(t => options.EntityPrefix + t)));

        while (!stoppingToken.IsCancellationRequested)
        {
            List<Message> messages;
            try
            {
                messages = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = options.WaitTimeSeconds, MessageAttributeNames = ["All"],
                }, stoppingToken)).Messages ?? [];
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            foreach (var message in messages)
            {
                try
                {
                    await dispatcher.Dispatch(Encoding.UTF8.GetBytes(message.Body), Headers(message), stoppingToken);
                    await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFaulted(logger, e, message.MessageId);
                }
            }
        }
    }

    // The payments system sets Content-Type (application/vnd.masstransit+json) as a message attribute.
    static Dictionary<string, object> Headers(Message message)
    {
        var headers = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in message.MessageAttributes ?? [])
            if (value.StringValue is not null)
                headers[name] = value.StringValue;
        headers.TryAdd("Content-Type", "application/vnd.masstransit+json");
        return headers;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening on queue {Queue}, subscribed to {Topics}")]
    static partial void LogListening(ILogger logger, string queue, string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} faulted; SQS redelivers it after the visibility timeout")]
    static partial void LogFaulted(ILogger logger, Exception exception, string messageId);
}
