using System.Diagnostics;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Payments.Bench;

/// <summary>
/// Does SQS (the emulator in bench/run.sh) slow down as a queue gets deep? For each depth: a fresh queue filled to that
/// many messages with SendMessageBatch, then a plain ReceiveMessage(10) + DeleteMessageBatch loop with no consumer,
/// timed over at most <c>--seconds</c> or <c>--measure</c> messages (at most half the queue), after a warm-up on a small
/// queue so that JIT and connection set-up do not land on the first depth.
/// <code>loadgen sqs-depth --sqs-url http://127.0.0.1:PORT [--depths 1000,10000,30000] [--measure 2000] [--seconds 10] [--fill-seconds 120]</code>
/// </summary>
static class SqsDepthBench
{
    const int BodyBytes = 1000; // about a MassTransit envelope of ours

    static readonly Dictionary<string, MessageAttributeValue> ContentType = new()
    {
        ["Content-Type"] = new() { DataType = "String", StringValue = "application/vnd.masstransit+json" },
    };

    public static async Task<int> Run(Args a)
    {
        var depths = a.Get("depths", "1000,10000,30000").Split(',').Select(int.Parse).ToArray();
        var measureFor = TimeSpan.FromSeconds(a.Num("seconds", 10));
        var measure = (int)a.Num("measure", 2000);
        var fillFor = TimeSpan.FromSeconds(a.Num("fill-seconds", 120));
        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("bench", "bench"),
            new AmazonSQSConfig { ServiceURL = a.Get("sqs-url"), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        await Measure(sqs, 500, 500, TimeSpan.FromSeconds(30), measureFor);
        Console.WriteLine("| depth | filled | fill msg/s | received | received/s | receive p50 ms | receive p99 ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var depth in depths)
            Console.WriteLine(await Measure(sqs, depth, measure, fillFor, measureFor));
        return 0;
    }

    static async Task<string> Measure(AmazonSQSClient sqs, int depth, int measure, TimeSpan fillFor, TimeSpan measureFor)
    {
        var queueUrl = (await sqs.CreateQueueAsync($"bench-depth-{depth}-{Guid.NewGuid():N}")).QueueUrl;
        try
        {
            var fill = Stopwatch.StartNew();
            var filled = await Fill(sqs, queueUrl, depth, fillFor);
            var fillRate = filled / fill.Elapsed.TotalSeconds;
            var (received, elapsed, latencies) = await Drain(sqs, queueUrl, Math.Min(measure, Math.Max(10, filled / 2)), measureFor);
            latencies.Sort();
            return $"| {depth} | {filled} | {fillRate:F0} | {received} | {received / elapsed.TotalSeconds:F0} | " +
                   $"{Stats.Pct(latencies, 50):F1} | {Stats.Pct(latencies, 99):F1} |";
        }
        finally
        {
            await sqs.DeleteQueueAsync(queueUrl);
        }
    }

    /// <summary>Eight senders of ten-message batches, until the depth or the time bound.</summary>
    static async Task<int> Fill(AmazonSQSClient sqs, string queueUrl, int depth, TimeSpan bound)
    {
        var body = new string('x', BodyBytes);
        var deadline = Stopwatch.StartNew();
        var claimed = 0;
        var sent = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (deadline.Elapsed < bound)
            {
                var take = Math.Min(10, depth - Interlocked.Add(ref claimed, 10) + 10);
                if (take <= 0)
                    return;
                var response = await sqs.SendMessageBatchAsync(queueUrl,
                    Enumerable.Range(0, take).Select(i => new SendMessageBatchRequestEntry(i.ToString(), body) { MessageAttributes = ContentType }).ToList());
                Interlocked.Add(ref sent, response.Successful?.Count ?? 0);
            }
        }));
        return sent;
    }

    /// <summary>One receive loop, as our receiver has one per queue, deleting what it got in one batch call.</summary>
    static async Task<(int Received, TimeSpan Elapsed, List<double> ReceiveMs)> Drain(AmazonSQSClient sqs, string queueUrl, int upTo,
        TimeSpan bound)
    {
        var latencies = new List<double>();
        var received = 0;
        var clock = Stopwatch.StartNew();
        while (received < upTo && clock.Elapsed < bound)
        {
            var call = Stopwatch.StartNew();
            // The request our receiver makes (SqsQueueReceiver), with a short wait: the queue is never empty here.
            var messages = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, VisibilityTimeout = 30,
                MessageAttributeNames = ["All"], MessageSystemAttributeNames = ["ApproximateReceiveCount"],
            })).Messages ?? [];
            latencies.Add(call.Elapsed.TotalMilliseconds);
            if (messages.Count == 0)
                break;
            received += messages.Count;
            await sqs.DeleteMessageBatchAsync(queueUrl,
                messages.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(), m.ReceiptHandle)).ToList());
        }
        return (received, clock.Elapsed, latencies);
    }
}
