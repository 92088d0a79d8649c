using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Payments.Aws.EventBridge;
using Payments.Aws.Http;
using Payments.Aws.Signing;

namespace Payments.Aws.Tests;

public sealed class EventBridgeClientTests : IAsyncLifetime
{
    private const string Bus = "payments-bus";
    private SigV4VerifyingServer _server = null!;
    private readonly AwsClients _clients = new();
    private int _nextEventId;

    public async Task InitializeAsync()
    {
        _server = await SigV4VerifyingServer.Start();
        _server.Respond = request => Task.FromResult(Accept(request, failIndex: -1));
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _server.DisposeAsync();
    }

    private EventBridgeClient Client(AWSCredentials? credentials = null) =>
        _clients.Build<EventBridgeClient>(AwsHttpClientRegistration.AddEventBridgeClient, _server.Url, credentials);

    private static EventBridgeEntry Entry(int n) => new("payments", "PaymentCaptured", $$"""{"n":{{n}}}""");

    private static JsonArray Entries(RecordedRequest request) => JsonNode.Parse(request.Body)!["Entries"]!.AsArray();

    // Accepts every entry of the request but the one at failIndex.
    private CannedResponse Accept(RecordedRequest request, int failIndex, string errorCode = "InternalFailure")
    {
        var count = Entries(request).Count;
        var results = Enumerable.Range(0, count).Select(i => i == failIndex
            ? (object)new { ErrorCode = errorCode, ErrorMessage = "Try again" }
            : new { EventId = $"event-{Interlocked.Increment(ref _nextEventId)}" });
        var body = JsonSerializer.Serialize(new { FailedEntryCount = failIndex >= 0 ? 1 : 0, Entries = results });
        return new CannedResponse(200, "application/x-amz-json-1.1", body);
    }

    private void RespondError(int status, string type, string message) =>
        _server.Respond = _ => Task.FromResult(new CannedResponse(status, "application/x-amz-json-1.1",
            JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message })));

    [Fact]
    public async Task PutEvents_posts_signed_json_with_the_target_header()
    {
        var time = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 600, TimeSpan.Zero);

        var ids = await Client().PutEvents(Bus, [Entry(1) with { Time = time }, Entry(2)]);

        Assert.Equal(["event-1", "event-2"], ids);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        Assert.Equal("AWSEvents.PutEvents", request.Header("X-Amz-Target"));
        Assert.Contains("/eu-west-1/events/aws4_request, SignedHeaders=", request.Header("Authorization"));
        var entries = Entries(request);
        Assert.Equal(2, entries.Count);
        Assert.Equal(Bus, (string?)entries[0]!["EventBusName"]);
        Assert.Equal("payments", (string?)entries[0]!["Source"]);
        Assert.Equal("PaymentCaptured", (string?)entries[0]!["DetailType"]);
        Assert.Equal("""{"n":1}""", (string?)entries[0]!["Detail"]);
        Assert.Equal(time.ToUnixTimeMilliseconds() / 1000.0, (double)entries[0]!["Time"]!);
        Assert.Null(entries[1]!["Time"]);
    }

    [Fact]
    public async Task Twenty_five_entries_go_out_in_three_calls()
    {
        var ids = await Client().PutEvents(Bus, Enumerable.Range(1, 25).Select(Entry).ToList());

        Assert.Equal([10, 10, 5], _server.Requests.Select(r => Entries(r).Count));
        Assert.Equal(Enumerable.Range(1, 25).Select(n => $$"""{"n":{{n}}}"""),
            _server.Requests.SelectMany(r => Entries(r).Select(e => (string?)e!["Detail"])));
        Assert.Equal(Enumerable.Range(1, 25).Select(n => $"event-{n}"), ids);
    }

    [Fact]
    public async Task Rejected_entries_surface_as_an_exception_naming_them()
    {
        var call = 0;
        _server.Respond = request => Task.FromResult(Accept(request, failIndex: Interlocked.Increment(ref call) == 2 ? 3 : -1));

        var error = await Assert.ThrowsAsync<EventBridgePartialFailureException>(() =>
            Client().PutEvents(Bus, Enumerable.Range(0, 25).Select(Entry).ToList()));

        var failed = Assert.Single(error.FailedEntries);
        Assert.Equal(13, failed.Index);
        Assert.Equal("""{"n":13}""", failed.Entry.Detail);
        Assert.Equal("InternalFailure", failed.ErrorCode);
        Assert.Equal("Try again", failed.ErrorMessage);
        Assert.Contains("#13", error.Message);
        Assert.True(error.IsTransient);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Theory]
    [InlineData("InternalFailure", true)]
    [InlineData("ThrottlingException", true)]
    [InlineData("MalformedDetail", false)]
    [InlineData("NotAuthorizedForSourceException", false)]
    public async Task A_rejected_entry_is_worth_another_try_only_when_its_error_is_transient(string errorCode, bool transient)
    {
        _server.Respond = request => Task.FromResult(Accept(request, failIndex: 0, errorCode));

        var error = await Assert.ThrowsAsync<EventBridgePartialFailureException>(() => Client().PutEvents(Bus, [Entry(1), Entry(2)]));

        Assert.Equal(errorCode, Assert.Single(error.FailedEntries).ErrorCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_FailedEntryCount_without_error_entries_is_still_an_error()
    {
        _server.Respond = _ => Task.FromResult(new CannedResponse(200, "application/x-amz-json-1.1",
            """{"FailedEntryCount":1,"Entries":[{"EventId":"e-1"}]}"""));

        await Assert.ThrowsAsync<AwsRequestException>(() => Client().PutEvents(Bus, [Entry(1)]));
    }

    [Fact]
    public async Task A_500_is_transient()
    {
        RespondError(500, "InternalException", "Something broke");

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => Client().PutEvents(Bus, [Entry(1)]));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("InternalException", error.Code);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_ValidationException_is_not_transient()
    {
        RespondError(400, "com.amazonaws.events#ValidationException", "Detail is not valid JSON");

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => Client().PutEvents(Bus, [Entry(1)]));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ValidationException", error.Code);
        Assert.Contains("Detail is not valid JSON", error.Message);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task A_ThrottlingException_is_transient()
    {
        RespondError(400, "ThrottlingException", "Rate exceeded");

        var error = await Assert.ThrowsAsync<AwsRequestException>(() => Client().PutEvents(Bus, [Entry(1)]));

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_session_token_is_sent_and_signed()
    {
        var credentials = new SessionAWSCredentials(SigV4VerifyingServer.AccessKey, SigV4VerifyingServer.SecretKey, "session-token");

        await Client(credentials).PutEvents(Bus, [Entry(1)]);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("session-token", request.Header("X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", request.Header("Authorization").Split("SignedHeaders=")[1].Split(',')[0].Split(';'));
    }

    [Fact]
    public async Task The_server_rejects_a_wrong_signature()
    {
        var error = await Assert.ThrowsAsync<AwsRequestException>(() =>
            Client(new BasicAWSCredentials(SigV4VerifyingServer.AccessKey, "not-the-secret")).PutEvents(Bus, [Entry(1)]));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("InvalidSignatureException", error.Code);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task No_entries_make_no_call()
    {
        Assert.Empty(await Client().PutEvents(Bus, []));
        Assert.Empty(_server.Requests);
    }
}
