using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SQS;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Payments.Aws.Http;
using Payments.Aws.Sns;
using Payments.Aws.Sqs;
using Payments.Outbox;

namespace Payments.Aws.Tests;

/// <summary>
/// The outbox publishes to a topic with PublishBatch: up to ten rows and 256 KiB a call, and SNS's answer for each entry
/// decides for that row alone. Against a loopback SNS that answers a partial failure, which the emulator only produces
/// for an oversized message (see SqsOutboxTransportTests).
/// </summary>
public sealed partial class SnsPublishBatchTests : IAsyncLifetime
{
    const string Topic = "Payments_Contracts-PaymentRequested";
    SigV4VerifyingServer _server = null!;
    readonly AwsClients _clients = new();
    readonly AmazonSQSClient _unusedSqs = new(new BasicAWSCredentials("x", "x"), new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:9" });

    public async Task InitializeAsync() => _server = await SigV4VerifyingServer.Start();

    public async Task DisposeAsync()
    {
        _unusedSqs.Dispose();
        _clients.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Twelve_rows_for_a_topic_go_out_in_two_calls_and_only_the_entries_SNS_refused_or_left_unanswered_stay()
    {
        // Every entry succeeds but the row {"n":5}, which SNS refuses, and the row {"n":12}, which its answer leaves out.
        _server.Respond = request =>
        {
            var form = request.Form();
            var entries = form.Where(p => EntryId().IsMatch(p.Key)).Select(p => (Id: p.Value, Body: form[p.Key[..^2] + "Message"])).ToList();
            var ok = entries.Where(e => e.Body is not """{"n":5}""" and not """{"n":12}""").Select(e => $"<member><Id>{e.Id}</Id><MessageId>m-{e.Id}</MessageId></member>");
            var refused = entries.Where(e => e.Body == """{"n":5}""")
                .Select(e => $"<member><Id>{e.Id}</Id><Code>InternalError</Code><Message>try again</Message><SenderFault>false</SenderFault></member>");
            return Task.FromResult(new CannedResponse(200, "text/xml",
                $"""<PublishBatchResponse><PublishBatchResult><Successful>{string.Concat(ok)}</Successful><Failed>{string.Concat(refused)}</Failed></PublishBatchResult></PublishBatchResponse>"""));
        };

        var result = await Transport().Send(Enumerable.Range(1, 12).Select(n => Row(n)).ToList(), CancellationToken.None);

        Assert.Equal(["PublishBatch", "PublishBatch"], _server.Requests.Select(r => r.Form()["Action"]));
        Assert.Equal([10, 2], _server.Requests.Select(r => r.Form().Keys.Count(EntryId().IsMatch)).Order().Reverse());
        Assert.Equal([1L, 2, 3, 4, 6, 7, 8, 9, 10, 11], result.Sent.Select(r => r.SequenceNumber).Order());
        var failed = result.Failed.OrderBy(f => f.Message.SequenceNumber).ToList();
        Assert.Equal([5L, 12L], failed.Select(f => f.Message.SequenceNumber));
        Assert.Equal($"SNS refused it for topic {Topic}: InternalError try again", failed[0].Reason);
        Assert.Equal($"SNS did not answer for it in PublishBatch to topic {Topic}", failed[1].Reason);
    }

    [Fact]
    public void A_call_holds_at_most_256_KiB_and_an_entry_bigger_than_that_goes_alone()
    {
        const int KiB = 1024;

        var batches = PublishBatches.Of([100 * KiB, 100 * KiB, 100 * KiB, 300 * KiB, 1, 1], size => size).ToList();

        Assert.Equal([[100 * KiB, 100 * KiB], [100 * KiB], [300 * KiB], [1, 1]], batches);
    }

    IOutboxTransport Transport()
    {
        var sns = _clients.Build<SnsClient>(AwsHttpClientRegistration.AddSnsClient, _server.Url);
        var options = Options.Create(new AwsMessagingOptions { TopicArnPrefix = "arn:aws:sns:eu-west-1:123456789012:" });
        return new SqsOutboxTransport(_unusedSqs, sns, new SqsTopology(_unusedSqs, sns, options, [], NullLogger<SqsTopology>.Instance));
    }

    static OutboxMessage Row(long n) => new()
    {
        SequenceNumber = n,
        MessageId = NewId.NextGuid(),
        ContentType = "application/vnd.masstransit+json",
        MessageType = "urn:message:Payments.Contracts:PaymentRequested",
        Body = $$"""{"n":{{n}}}""",
        DestinationAddress = new Uri("topic:urn:message:Payments.Contracts:PaymentRequested"),
    };

    [GeneratedRegex(@"^PublishBatchRequestEntries\.member\.\d+\.Id$")]
    private static partial Regex EntryId();
}
