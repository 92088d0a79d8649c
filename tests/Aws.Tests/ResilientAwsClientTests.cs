using System.Diagnostics;
using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Payments.Aws.EventBridge;
using Payments.Aws.Http;
using Payments.Aws.Signing;
using Payments.Aws.Sns;

namespace Payments.Aws.Tests;

/// <summary>
/// The hand-written AWS clients over real HTTP against a loopback endpoint that throttles or fails a few times and then
/// answers. Every request the endpoint records had its signature verified with AWSSDK.Core's SigV4 steps.
/// </summary>
public sealed class ResilientAwsClientTests : IAsyncLifetime
{
    const string Bus = "payments-bus";
    const string TopicArn = "arn:aws:sns:eu-west-1:123456789012:payments-PaymentSucceeded";
    static readonly EventBridgeEntry Entry = new("payments", "PaymentSucceeded", """{"eventId":"4b1e0a4e-0d7c-4f55-9a55-0c1c2a0e7d11"}""");
    static readonly CannedResponse EventsAccepted = Json(200, """{"FailedEntryCount":0,"Entries":[{"EventId":"event-1"}]}""");
    static readonly CannedResponse Published = Xml(200,
        """<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-1</MessageId></PublishResult></PublishResponse>""");

    SigV4VerifyingServer _server = null!;
    readonly AwsClients _clients = new();
    int _calls;
    // Released when the test ends: holds an attempt that must never be answered while the call runs.
    readonly TaskCompletionSource _unanswered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync() => _server = await SigV4VerifyingServer.Start();

    public async Task DisposeAsync()
    {
        _unanswered.TrySetResult();
        _clients.Dispose();
        await _server.DisposeAsync();
    }

    static CannedResponse Json(int status, string body) => new(status, "application/x-amz-json-1.1", body);

    static CannedResponse Xml(int status, string body) => new(status, "text/xml", body);

    static string SnsError(string code) =>
        $"""<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{code} says no</Message></Error><RequestId>r-1</RequestId></ErrorResponse>""";

    // The first `failures` requests get `failure`, the ones after `success`.
    void FailThenAnswer(int failures, CannedResponse failure, CannedResponse success) =>
        _server.Respond = _ => Task.FromResult(Interlocked.Increment(ref _calls) <= failures ? failure : success);

    EventBridgeClient EventBridge(AWSCredentials? credentials = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? alsoRegister = null) =>
        _clients.Build<EventBridgeClient>(AwsHttpClientRegistration.AddEventBridgeClient, _server.Url, credentials, settings, alsoRegister);

    SnsClient Sns() => _clients.Build<SnsClient>(AwsHttpClientRegistration.AddSnsClient, _server.Url);

    static readonly Dictionary<string, CannedResponse> TransientAnswers = new()
    {
        ["400 ThrottlingException"] = Json(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""),
        ["400 ThrottlingException with a namespace"] = Json(400, """{"__type":"com.amazonaws.events#ThrottlingException","message":"Rate exceeded"}"""),
        ["400 TooManyRequestsException"] = Json(400, """{"__type":"TooManyRequestsException","message":"Slow down"}"""),
        ["400 RequestLimitExceeded in XML"] = Xml(400, SnsError("RequestLimitExceeded")),
        ["400 with the code in x-amzn-ErrorType only"] = new CannedResponse(400, "text/plain", "slow down")
        {
            Headers = new Dictionary<string, string> { ["x-amzn-ErrorType"] = "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/" },
        },
        ["429"] = new(429, "text/plain", "Too Many Requests"),
        ["500"] = Json(500, """{"__type":"InternalException","message":"Something broke"}"""),
        ["502"] = new(502, "text/html", "<html><body>Bad Gateway</body></html>"),
        ["503"] = new(503, "text/plain", "Service Unavailable"),
        ["504"] = new(504, "text/html", "<html><body>Gateway Timeout</body></html>"),
        ["the connection cut without an answer"] = CannedResponse.Abort,
    };

    public static TheoryData<string> Transient() => new(TransientAnswers.Keys);

    [Theory]
    [MemberData(nameof(Transient))]
    public async Task A_call_failing_twice_with_a_transient_answer_succeeds_on_the_third_attempt(string answer)
    {
        FailThenAnswer(2, TransientAnswers[answer], EventsAccepted);

        var ids = await EventBridge().PutEvents(Bus, [Entry]);

        Assert.Equal(["event-1"], ids);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task A_publish_throttled_by_SNS_is_retried_until_it_is_published()
    {
        FailThenAnswer(2, Xml(400, SnsError("Throttling")), Published);

        Assert.Equal("msg-1", await Sns().Publish(TopicArn, "hello"));
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Every_attempt_is_signed_afresh_with_the_credentials_of_the_moment()
    {
        FailThenAnswer(2, Json(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""), EventsAccepted);
        var credentials = new RotatingCredentials();

        await EventBridge(credentials).PutEvents(Bus, [Entry]);

        // Each attempt was verified by the server, and each carries the token resolved for it and a signature of its own.
        var attempts = _server.Requests.ToList();
        Assert.Equal(["token-1", "token-2", "token-3"], attempts.Select(a => a.Header("X-Amz-Security-Token")));
        Assert.Equal(3, attempts.Select(a => a.Header("Authorization")).Distinct().Count());
    }

    [Fact]
    public async Task A_503_with_Retry_After_is_retried_after_the_wait_it_asks_for_with_a_new_date_and_signature()
    {
        FailThenAnswer(1, new CannedResponse(503, "text/plain", "busy") { Headers = new Dictionary<string, string> { ["Retry-After"] = "1" } },
            EventsAccepted);

        await EventBridge(settings: new Dictionary<string, string?> { ["Aws:Http:RetryMaxDelay"] = "00:00:05" }).PutEvents(Bus, [Entry]);

        var (first, second) = (_server.Requests.First(), _server.Requests.Last());
        Assert.Equal(2, _server.Requests.Count);
        Assert.True(second.ReceivedAt - first.ReceivedAt >= TimeSpan.FromMilliseconds(950),
            $"the retry came {(second.ReceivedAt - first.ReceivedAt).TotalMilliseconds} ms after the 503 (Retry-After: 1; the back-off alone is 10 ms)");
        Assert.True(DateTime.ParseExact(second.Header("X-Amz-Date"), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
                    > DateTime.ParseExact(first.Header("X-Amz-Date"), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        Assert.NotEqual(first.Header("Authorization"), second.Header("Authorization"));
    }

    [Fact]
    public async Task An_attempt_that_outlives_its_timeout_is_abandoned_and_retried()
    {
        // The first attempt is never answered while the call runs, so the call can only succeed by abandoning it; the later
        // attempts are answered at once. (Bounding the first by a delay raced the attempt timeout on a loaded machine: a
        // prompt second attempt could outlive 300 ms too.)
        _server.Respond = async _ =>
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                await _unanswered.Task;
                return CannedResponse.Abort;
            }
            return EventsAccepted;
        };

        var ids = await EventBridge(settings: new Dictionary<string, string?>
        {
            ["Aws:Http:AttemptTimeout"] = "00:00:01",
            ["Aws:Http:TotalTimeout"] = "00:00:20",
        }).PutEvents(Bus, [Entry]);

        Assert.Equal(["event-1"], ids);
        Assert.False(_unanswered.Task.IsCompleted);
        Assert.True(_server.Requests.Count >= 2, $"{_server.Requests.Count} request(s)");
    }

    [Theory]
    [InlineData("events", 400, "ValidationException")]
    [InlineData("events", 400, "AccessDeniedException")]
    [InlineData("events", 404, "ResourceNotFoundException")]
    [InlineData("sns", 400, "InvalidParameter")]
    [InlineData("sns", 403, "AuthorizationError")]
    public async Task A_permanent_error_is_not_retried(string service, int status, string code)
    {
        var error = await Assert.ThrowsAsync<AwsRequestException>(async () =>
        {
            if (service == "sns")
            {
                FailThenAnswer(1, Xml(status, SnsError(code)), Published);
                await Sns().Publish(TopicArn, "hello");
            }
            else
            {
                FailThenAnswer(1, Json(status, $$"""{"__type":"{{code}}","message":"no"}"""), EventsAccepted);
                await EventBridge().PutEvents(Bus, [Entry]);
            }
        });

        Assert.Equal(code, error.Code);
        Assert.False(error.IsTransient);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task The_breaker_opens_after_repeated_failures_fails_fast_while_open_and_closes_once_the_service_answers()
    {
        var healthy = false;
        _server.Respond = _ => Task.FromResult(Volatile.Read(ref healthy) ? EventsAccepted : new CannedResponse(503, "text/plain", "down"));
        var client = EventBridge(settings: new Dictionary<string, string?>
        {
            ["Aws:Http:MaxRetryAttempts"] = "1",
            ["Aws:Http:BreakerMinimumThroughput"] = "2",
            ["Aws:Http:BreakerFailureRatio"] = "0.5",
            ["Aws:Http:BreakerBreakDuration"] = "00:00:02",
        });

        var failed = await Assert.ThrowsAsync<AwsRequestException>(() => client.PutEvents(Bus, [Entry]));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(2, _server.Requests.Count);

        var rejected = await Assert.ThrowsAsync<AwsRequestException>(() => client.PutEvents(Bus, [Entry]));
        Assert.Equal("CircuitOpen", rejected.Code);
        Assert.Null(rejected.StatusCode);
        Assert.True(rejected.IsTransient);
        Assert.Equal(2, _server.Requests.Count);

        Volatile.Write(ref healthy, true);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<string>? ids = null;
        while (ids is null)
        {
            try
            {
                ids = await client.PutEvents(Bus, [Entry]);
            }
            catch (AwsRequestException e) when (e.Code == "CircuitOpen" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
        Assert.Equal(["event-1"], ids);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Trace_context_added_below_the_signer_does_not_spoil_the_signature_of_a_retry()
    {
        // HttpClient's own diagnostics handler, below the signer, writes traceparent onto each attempt when anyone listens.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Payments.Aws.Tests");
        using var parent = new Activity("forward outcome").SetIdFormat(ActivityIdFormat.W3C).Start();
        FailThenAnswer(2, Json(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""), EventsAccepted);

        await EventBridge().PutEvents(Bus, [Entry]);

        var attempts = _server.Requests.ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Contains(parent.TraceId.ToHexString(), a.Header("traceparent")));
    }

    /// <summary>The retry tests above fail this way when the resilience handler is taken out of the clients' pipeline.</summary>
    [Fact]
    public async Task Without_the_resilience_handler_the_first_throttle_fails_the_call()
    {
        FailThenAnswer(2, Json(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""), EventsAccepted);
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the way to take the handler out.
        var client = EventBridge(alsoRegister: services => services.AddHttpClient(EventBridgeClient.HttpClientName).RemoveAllResilienceHandlers());
#pragma warning restore EXTEXP0001

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => client.PutEvents(Bus, [Entry]));

        Assert.Equal("ThrottlingException", error.Code);
        Assert.Single(_server.Requests);
    }

    sealed class RotatingCredentials : AWSCredentials
    {
        int _resolved;

        public override ImmutableCredentials GetCredentials() =>
            new(SigV4VerifyingServer.AccessKey, SigV4VerifyingServer.SecretKey, $"token-{Interlocked.Increment(ref _resolved)}");
    }
}
