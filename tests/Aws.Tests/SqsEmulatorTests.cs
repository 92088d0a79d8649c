using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Amazon.SQS;
using Amazon.SQS.Model;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// The local SQS emulator (fauxqs, started by scripts/test.sh) behaves as the SQS bridge needs, through the real
/// AWSSDK.SQS client: redrive to a dead-letter queue, batches with message attributes, visibility changes,
/// long polling. If one of these fails, bridge tests against the emulator cannot be trusted.
/// </summary>
public sealed class SqsEmulatorTests : IDisposable
{
    readonly AmazonSQSClient _sqs = TestSqs.CreateClient();
    readonly List<string> _queues = [];

    [Fact]
    public async Task A_message_received_but_not_deleted_moves_to_the_DLQ_after_maxReceiveCount_receives()
    {
        var dlq = await CreateQueue(TestSqs.UniqueName("emu-dlq"));
        var dlqArn = (await _sqs.GetQueueAttributesAsync(dlq, ["QueueArn"])).QueueARN;
        Assert.False(string.IsNullOrEmpty(dlqArn));
        var queue = await CreateQueue(TestSqs.UniqueName("emu-main"), new()
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{dlqArn}}","maxReceiveCount":"2"}""",
        });
        var sent = await _sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queue,
            MessageBody = """{"poison":true}""",
            MessageAttributes = new() { ["MessageType"] = StringAttribute("urn:message:Poison") },
        });

        // Two receives without a delete; each time the message becomes visible again after 1 s.
        var receiveCounts = new List<string>();
        var deadline = Stopwatch.StartNew();
        while (receiveCounts.Count < 3 && deadline.Elapsed < TimeSpan.FromSeconds(8))
        {
            var got = await Receive(queue, waitSeconds: 2);
            foreach (var message in got)
            {
                Assert.Equal(sent.MessageId, message.MessageId);
                receiveCounts.Add(message.Attributes["ApproximateReceiveCount"]);
            }
            if (receiveCounts.Count == 2)
                break;
        }
        Assert.Equal(["1", "2"], receiveCounts);

        // The next receive after the visibility timeout moves it to the DLQ instead of delivering it a third time.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Empty(await Receive(queue, waitSeconds: 1));

        var dead = Assert.Single(await Receive(dlq, waitSeconds: 2));
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("""{"poison":true}""", dead.Body);
        Assert.Equal("urn:message:Poison", dead.MessageAttributes["MessageType"].StringValue);
        Assert.Empty(await Receive(queue, waitSeconds: 0));
    }

    [Fact]
    public async Task SendMessageBatch_of_10_round_trips_string_message_attributes()
    {
        var queue = await CreateQueue(TestSqs.UniqueName("emu-batch"));
        var entries = Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry
        {
            Id = $"m{i}",
            MessageBody = $$"""{"n":{{i}},"text":"caf\u00e9 \u20b9{{i}}"}""",
            MessageAttributes = new()
            {
                ["Content-Type"] = StringAttribute("application/vnd.masstransit+json"),
                ["MessageType"] = StringAttribute($"urn:message:Payments.Contracts:Type{i}"),
                ["Note"] = StringAttribute($"caf\u00e9 \u20b9 {i}"),
            },
        }).ToList();

        var result = await _sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queue, Entries = entries });
        Assert.Empty(result.Failed ?? []);
        Assert.Equal(10, result.Successful.Count);

        // The SDK checks MD5OfBody and MD5OfMessageAttributes on every received message, so a receive that
        // returns at all proves the emulator hashed the attributes the way AWS does.
        var received = new Dictionary<string, Message>();
        var deadline = Stopwatch.StartNew();
        while (received.Count < 10 && deadline.Elapsed < TimeSpan.FromSeconds(5))
            foreach (var message in await Receive(queue, waitSeconds: 1, max: 10))
                received.Add(message.MessageId, message);
        Assert.Equal(10, received.Count);

        foreach (var ok in result.Successful)
        {
            var i = int.Parse(ok.Id[1..]);
            var message = received[ok.MessageId];
            Assert.Equal(entries[i].MessageBody, message.Body);
            Assert.Equal(3, message.MessageAttributes.Count);
            Assert.All(message.MessageAttributes.Values, a => Assert.Equal("String", a.DataType));
            Assert.Equal("application/vnd.masstransit+json", message.MessageAttributes["Content-Type"].StringValue);
            Assert.Equal($"urn:message:Payments.Contracts:Type{i}", message.MessageAttributes["MessageType"].StringValue);
            Assert.Equal($"caf\u00e9 \u20b9 {i}", message.MessageAttributes["Note"].StringValue);
        }

        var deleted = await _sqs.DeleteMessageBatchAsync(queue,
            received.Values.Select((m, n) => new DeleteMessageBatchRequestEntry($"d{n}", m.ReceiptHandle)).ToList());
        Assert.Empty(deleted.Failed ?? []);
        Assert.Equal(10, deleted.Successful.Count);
        Assert.Empty(await Receive(queue, waitSeconds: 0, max: 10));
    }

    [Fact]
    public async Task ChangeMessageVisibility_extends_and_releases_a_received_message()
    {
        var queue = await CreateQueue(TestSqs.UniqueName("emu-visibility"), new() { ["VisibilityTimeout"] = "1" });
        await _sqs.SendMessageAsync(queue, "work");

        var first = Assert.Single(await Receive(queue, waitSeconds: 1));
        // Extended past the queue's 1 s: still invisible after it.
        await _sqs.ChangeMessageVisibilityAsync(queue, first.ReceiptHandle, 20);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(await Receive(queue, waitSeconds: 0));

        // Released at once with 0, as a consumer does to hand a message back.
        await _sqs.ChangeMessageVisibilityAsync(queue, first.ReceiptHandle, 0);
        var second = Assert.Single(await Receive(queue, waitSeconds: 1));
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal("2", second.Attributes["ApproximateReceiveCount"]);

        await _sqs.DeleteMessageAsync(queue, second.ReceiptHandle);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Empty(await Receive(queue, waitSeconds: 0));
    }

    [Fact]
    public async Task Long_polling_waits_on_an_empty_queue_and_wakes_up_when_a_message_arrives()
    {
        var queue = await CreateQueue(TestSqs.UniqueName("emu-poll"));

        var clock = Stopwatch.StartNew();
        Assert.Empty(await Receive(queue, waitSeconds: 1));
        // Bounds far apart: the call must wait for the poll, not hang; a busy shared machine adds its own delay.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(5));

        clock.Restart();
        var polling = Receive(queue, waitSeconds: 10);
        await Task.Delay(200);
        await _sqs.SendMessageAsync(queue, "wake up");
        var got = Assert.Single(await polling);
        Assert.Equal("wake up", got.Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"long poll returned after {clock.Elapsed}, not when the message arrived");
    }

    [Fact]
    public async Task The_emulator_listens_on_loopback_only()
    {
        var port = new Uri(TestSqs.ServiceUrl).Port;
        using (var loopback = new TcpClient())
            await loopback.ConnectAsync(IPAddress.Loopback, port);

        // Every other address of this machine must refuse the connection. A machine with no such address
        // (loopback only) has nothing more to check.
        var others = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && (a.AddressFamily == AddressFamily.InterNetwork ||
                                                     a is { AddressFamily: AddressFamily.InterNetworkV6, IsIPv6LinkLocal: false }))
            .ToList();
        foreach (var address in others)
        {
            using var client = new TcpClient(address.AddressFamily);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var refused = false;
            try
            {
                await client.ConnectAsync(address, port, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                refused = true;
            }
            Assert.True(refused, $"the emulator accepted a connection on {address}:{port}; it must bind 127.0.0.1 only");
        }
    }

    async Task<string> CreateQueue(string name, Dictionary<string, string>? attributes = null)
    {
        var url = (await _sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes })).QueueUrl;
        _queues.Add(url);
        return url;
    }

    // AWSSDK 4 leaves collections null when the response has none: an empty receive has Messages == null.
    async Task<List<Message>> Receive(string queue, int waitSeconds, int max = 1) =>
        (await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queue,
            MaxNumberOfMessages = max,
            WaitTimeSeconds = waitSeconds,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        })).Messages ?? [];

    static MessageAttributeValue StringAttribute(string value) => new() { DataType = "String", StringValue = value };

    public void Dispose()
    {
        foreach (var queue in _queues)
        {
            try { _sqs.DeleteQueueAsync(queue).GetAwaiter().GetResult(); }
            catch (AmazonSQSException) { }
        }
        _sqs.Dispose();
    }
}
