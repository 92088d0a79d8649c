using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Payments.Aws.Http;
using Payments.Aws.Signing;
using Payments.Aws.Sns;

namespace Payments.Aws.Tests;

public sealed class SnsClientTests : IAsyncLifetime
{
    private const string TopicArn = "arn:aws:sns:eu-west-1:123456789012:payments-PaymentCaptured";
    private SigV4VerifyingServer _server = null!;
    private readonly AwsClients _clients = new();

    public async Task InitializeAsync() => _server = await SigV4VerifyingServer.Start();

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _server.DisposeAsync();
    }

    private SnsClient Client(AWSCredentials? credentials = null, IDictionary<string, string?>? settings = null) =>
        _clients.Build<SnsClient>(AwsHttpClientRegistration.AddSnsClient, _server.Url, credentials, settings);

    private void RespondXml(int status, string xml) =>
        _server.Respond = _ => Task.FromResult(new CannedResponse(status, "text/xml", xml));

    private static string Result(string action, string inner) =>
        $"""<{action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><{action}Result>{inner}</{action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></{action}Response>""";

    private static string Error(string type, string code, string message) =>
        $"""<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>""";

    [Fact]
    public async Task CreateTopic_posts_a_signed_form_and_returns_the_topic_arn()
    {
        RespondXml(200, Result("CreateTopic", $"<TopicArn>{TopicArn}</TopicArn>"));

        var arn = await Client().CreateTopic("payments-PaymentCaptured");

        Assert.Equal(TopicArn, arn);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Header("Content-Type"));
        Assert.Contains($"Credential={SigV4VerifyingServer.AccessKey}/", request.Header("Authorization"));
        Assert.Contains("/eu-west-1/sns/aws4_request, SignedHeaders=", request.Header("Authorization"));
        var form = request.Form();
        Assert.Equal("CreateTopic", form["Action"]);
        Assert.Equal("2010-03-31", form["Version"]);
        Assert.Equal("payments-PaymentCaptured", form["Name"]);
        Assert.DoesNotContain("Attributes.entry.1.key", form.Keys);
    }

    [Fact]
    public async Task CreateTopic_fifo_sets_the_FifoTopic_attribute()
    {
        RespondXml(200, Result("CreateTopic", $"<TopicArn>{TopicArn}.fifo</TopicArn>"));

        await Client().CreateTopic("payments-PaymentCaptured.fifo", fifo: true);

        var form = Assert.Single(_server.Requests).Form();
        Assert.Equal("FifoTopic", form["Attributes.entry.1.key"]);
        Assert.Equal("true", form["Attributes.entry.1.value"]);
    }

    [Fact]
    public async Task Subscribe_sends_protocol_endpoint_and_attributes()
    {
        RespondXml(200, Result("Subscribe", $"<SubscriptionArn>{TopicArn}:sub-1</SubscriptionArn>"));

        var arn = await Client().Subscribe(TopicArn, "sqs", "arn:aws:sqs:eu-west-1:123456789012:payments",
            new Dictionary<string, string> { ["RawMessageDelivery"] = "true" });

        Assert.Equal($"{TopicArn}:sub-1", arn);
        var form = Assert.Single(_server.Requests).Form();
        Assert.Equal("Subscribe", form["Action"]);
        Assert.Equal(TopicArn, form["TopicArn"]);
        Assert.Equal("sqs", form["Protocol"]);
        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:payments", form["Endpoint"]);
        Assert.Equal("RawMessageDelivery", form["Attributes.entry.1.key"]);
        Assert.Equal("true", form["Attributes.entry.1.value"]);
    }

    [Fact]
    public async Task Publish_sends_the_body_unchanged_with_string_attributes()
    {
        RespondXml(200, Result("Publish", "<MessageId>msg-1</MessageId>"));
        const string body = """{"amount":"12.50 €","note":"a+b=c & d/e?f"}""";

        var messageId = await Client().Publish(TopicArn, body,
            new Dictionary<string, string> { ["Content-Type"] = "application/vnd.masstransit+json", ["Tenant"] = "t 1" });

        Assert.Equal("msg-1", messageId);
        var form = Assert.Single(_server.Requests).Form();
        Assert.Equal("Publish", form["Action"]);
        Assert.Equal(TopicArn, form["TopicArn"]);
        Assert.Equal(body, form["Message"]);
        Assert.Equal("Content-Type", form["MessageAttributes.entry.1.Name"]);
        Assert.Equal("String", form["MessageAttributes.entry.1.Value.DataType"]);
        Assert.Equal("application/vnd.masstransit+json", form["MessageAttributes.entry.1.Value.StringValue"]);
        Assert.Equal("Tenant", form["MessageAttributes.entry.2.Name"]);
        Assert.Equal("t 1", form["MessageAttributes.entry.2.Value.StringValue"]);
    }

    [Fact]
    public async Task PublishBatch_sends_each_entry_with_its_attributes_and_reads_the_answer_for_each()
    {
        RespondXml(200, Result("PublishBatch",
            "<Successful><member><Id>a</Id><MessageId>m-a</MessageId></member></Successful>" +
            "<Failed><member><Id>b</Id><Code>InvalidParameter</Code><Message>Message too long</Message><SenderFault>true</SenderFault></member></Failed>"));

        var result = await Client().PublishBatch(TopicArn,
        [
            new SnsBatchEntry("a", "first & one", [new("Content-Type", "application/vnd.masstransit+json")]),
            new SnsBatchEntry("b", "second", [new("Content-Type", "text/plain"), new("MT-Activity-Id", "00-1-2-01")]),
        ]);

        Assert.Equal(["a"], result.Successful);
        Assert.Equal([new SnsBatchFailure("b", "InvalidParameter", "Message too long", SenderFault: true)], result.Failed);
        var form = Assert.Single(_server.Requests).Form();
        Assert.Equal("PublishBatch", form["Action"]);
        Assert.Equal(TopicArn, form["TopicArn"]);
        Assert.Equal("a", form["PublishBatchRequestEntries.member.1.Id"]);
        Assert.Equal("first & one", form["PublishBatchRequestEntries.member.1.Message"]);
        Assert.Equal("Content-Type", form["PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name"]);
        Assert.Equal("String", form["PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType"]);
        Assert.Equal("b", form["PublishBatchRequestEntries.member.2.Id"]);
        Assert.Equal("MT-Activity-Id", form["PublishBatchRequestEntries.member.2.MessageAttributes.entry.2.Name"]);
        Assert.Equal("00-1-2-01", form["PublishBatchRequestEntries.member.2.MessageAttributes.entry.2.Value.StringValue"]);
    }

    [Fact]
    public async Task A_session_token_is_sent_and_signed()
    {
        RespondXml(200, Result("Publish", "<MessageId>msg-1</MessageId>"));
        var credentials = new SessionAWSCredentials(SigV4VerifyingServer.AccessKey, SigV4VerifyingServer.SecretKey, "token/from+lambda==");

        await Client(credentials).Publish(TopicArn, "hello");

        var request = Assert.Single(_server.Requests);
        Assert.Equal("token/from+lambda==", request.Header("X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", request.Header("Authorization").Split("SignedHeaders=")[1].Split(',')[0].Split(';'));
    }

    [Fact]
    public async Task Credentials_are_resolved_for_every_request()
    {
        RespondXml(200, Result("Publish", "<MessageId>msg-1</MessageId>"));
        var credentials = new CountingCredentials();
        var client = Client(credentials);

        await client.Publish(TopicArn, "one");
        await client.Publish(TopicArn, "two");

        Assert.Equal(2, credentials.Calls);
    }

    [Fact]
    public async Task The_server_rejects_a_wrong_signature()
    {
        RespondXml(200, Result("Publish", "<MessageId>msg-1</MessageId>"));

        var error = await Assert.ThrowsAsync<AwsRequestException>(() =>
            Client(new BasicAWSCredentials(SigV4VerifyingServer.AccessKey, "not-the-secret")).Publish(TopicArn, "hello"));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.False(error.IsTransient);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData(400, "Sender", "NotFound", false)]
    [InlineData(400, "Sender", "InvalidParameter", false)]
    [InlineData(400, "Sender", "Throttling", true)]
    [InlineData(500, "Receiver", "InternalError", true)]
    [InlineData(503, "Receiver", "ServiceUnavailable", true)]
    public async Task Error_responses_map_to_AwsRequestException(int status, string type, string code, bool transient)
    {
        RespondXml(status, Error(type, code, "Topic does not exist"));

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => Client().Publish(TopicArn, "hello"));

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.Contains("Topic does not exist", error.Message);
        Assert.Equal(transient, error.IsTransient);
    }

    [Fact]
    public async Task A_refused_connection_is_a_transient_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = _clients.Build<SnsClient>(AwsHttpClientRegistration.AddSnsClient, new Uri($"http://127.0.0.1:{port}"));

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => client.Publish(TopicArn, "hello"));

        Assert.Null(error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task A_timeout_is_a_transient_error()
    {
        _server.Respond = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            return new CannedResponse(200, "text/xml", "");
        };
        var client = Client(settings: new Dictionary<string, string?>
        {
            ["Aws:Http:AttemptTimeout"] = "00:00:00.200", ["Aws:Http:TotalTimeout"] = "00:00:01",
        });

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => client.Publish(TopicArn, "hello"));

        Assert.Null(error.StatusCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_wrapped()
    {
        _server.Respond = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            return new CannedResponse(200, "text/xml", "");
        };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().Publish(TopicArn, "hello", null, cancellation.Token));
    }

    private sealed class CountingCredentials : AWSCredentials
    {
        public int Calls;

        public override ImmutableCredentials GetCredentials()
        {
            Interlocked.Increment(ref Calls);
            return new ImmutableCredentials(SigV4VerifyingServer.AccessKey, SigV4VerifyingServer.SecretKey, $"token-{Calls}");
        }
    }
}
