using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using Payments.Aws.EventBridge;
using Payments.Processing.Outcomes;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>One entry EventBridge accepted (answered with an EventId).</summary>
public sealed record AcceptedEntry(string EventBusName, string Source, string DetailType, string Detail, double? Time);

/// <summary>
/// A loopback EventBridge for the outcome forwarder: answers PutEvents (JSON 1.1) after recomputing the request's
/// SigV4 signature with the credentials the forwarder signs with when it has a ServiceUrl (403 on a mismatch),
/// records the entries it accepts, and can reject every entry of its first <see cref="RejectFirstCalls"/> calls
/// with a 200 and FailedEntryCount > 0, as EventBridge does when it is partly failing.
/// </summary>
public sealed class OutcomeForwardingFakeEventBridge : IAsyncDisposable
{
    // The credentials the forwarder signs with when it has a ServiceUrl.
    static readonly ImmutableCredentials EmulatorKey = AwsRegistration.EmulatorCredentials.GetCredentials();
    LoopbackServer? _server;
    private int _calls, _rejectedCalls, _badSignatures, _nextEventId;

    public ConcurrentQueue<AcceptedEntry> Accepted { get; } = new();

    public int RejectFirstCalls { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public int RejectedCalls => Volatile.Read(ref _rejectedCalls);

    public int BadSignatures => Volatile.Read(ref _badSignatures);

    public Uri Url { get; private set; } = null!;

    /// <summary>The region requests must be signed for.</summary>
    public string Region { get; init; } = "us-east-1";

    public static async Task<OutcomeForwardingFakeEventBridge> Start()
    {
        var server = new OutcomeForwardingFakeEventBridge();
        server._server = await LoopbackServer.Start(server.Handle);
        server.Url = server._server.Url;
        return server;
    }

    private async Task Handle(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        if (SigV4Recheck.Problem(context.Request, body, EmulatorKey.AccessKey, EmulatorKey.SecretKey, Region, "events") is { } problem)
        {
            Interlocked.Increment(ref _badSignatures);
            await Write(context, 403, new JsonObject { ["__type"] = "InvalidSignatureException", ["message"] = problem });
            return;
        }
        if (context.Request.Headers["X-Amz-Target"] != "AWSEvents.PutEvents")
        {
            await Write(context, 400, new JsonObject { ["__type"] = "UnknownOperationException", ["message"] = "PutEvents only" });
            return;
        }

        var entries = JsonNode.Parse(body)!["Entries"]!.AsArray();
        var results = new JsonArray();
        if (Interlocked.Increment(ref _calls) <= RejectFirstCalls)
        {
            Interlocked.Increment(ref _rejectedCalls);
            foreach (var _ in entries)
                results.Add(new JsonObject { ["ErrorCode"] = "InternalFailure", ["ErrorMessage"] = "Try again" });
            await Write(context, 200, new JsonObject { ["FailedEntryCount"] = entries.Count, ["Entries"] = results });
            return;
        }
        foreach (var entry in entries)
        {
            Accepted.Enqueue(new AcceptedEntry((string)entry!["EventBusName"]!, (string)entry["Source"]!, (string)entry["DetailType"]!,
                (string)entry["Detail"]!, (double?)entry["Time"]));
            results.Add(new JsonObject { ["EventId"] = $"eb-{Interlocked.Increment(ref _nextEventId)}" });
        }
        await Write(context, 200, new JsonObject { ["FailedEntryCount"] = 0, ["Entries"] = results });
    }

    private static async Task Write(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    /// <returns>Null when the signature is right, else why not.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
