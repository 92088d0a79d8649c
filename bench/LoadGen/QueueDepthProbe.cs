using Amazon.Runtime;
using Amazon.SQS;

namespace Payments.Bench;

/// <summary>Messages waiting and in flight in the worker's SQS queues (the emulator on loopback in bench/run.sh).</summary>
sealed class QueueDepthProbe(string serviceUrl, string[] queues) : IDisposable
{
    readonly AmazonSQSClient _sqs = new(new BasicAWSCredentials("bench", "bench"),
        new AmazonSQSConfig { ServiceURL = serviceUrl, AuthenticationRegion = "us-east-1" });
    readonly Dictionary<string, string> _urls = [];

    public static QueueDepthProbe? FromArgs(Args a) =>
        a.Has("sqs-url") ? new QueueDepthProbe(a.Get("sqs-url"), a.Get("sqs-queues").Split(',', StringSplitOptions.RemoveEmptyEntries)) : null;

    /// <summary>Visible plus in-flight messages over all the queues.</summary>
    public async Task<long> Depth()
    {
        long total = 0;
        foreach (var queue in queues)
        {
            if (!_urls.TryGetValue(queue, out var url))
                _urls[queue] = url = (await _sqs.GetQueueUrlAsync(queue)).QueueUrl;
            var attributes = (await _sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])).Attributes ?? [];
            total += long.Parse(attributes["ApproximateNumberOfMessages"]) + long.Parse(attributes["ApproximateNumberOfMessagesNotVisible"]);
        }
        return total;
    }

    public void Dispose() => _sqs.Dispose();
}
