using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Aws.Signing;
using Payments.Workers.Outcomes;

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
    private WebApplication? _app;
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        server._app = builder.Build();
        server._app.Run(server.Handle);
        await server._app.StartAsync();
        server.Url = new Uri(server._app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return server;
    }

    private async Task Handle(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        if (VerifySignature(context.Request, body) is { } problem)
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
    private string? VerifySignature(HttpRequest received, byte[] body)
    {
        var expectedKey = AwsRegistration.EmulatorCredentials.GetCredentials();
        var parts = received.Headers.Authorization.ToString().Split(' ', 2);
        if (parts is not ["AWS4-HMAC-SHA256", var fields])
            return "not SigV4";
        var field = fields.Split(", ").Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var scope = field["Credential"].Split('/');
        if (scope.Length != 5 || scope[0] != expectedKey.AccessKey || scope[2] != Region || scope[3] != "events" || scope[4] != "aws4_request")
            return $"unexpected credential scope {field["Credential"]}";
        var signedHeaders = field["SignedHeaders"].Split(';');

        var request = new HttpRequestMessage(new HttpMethod(received.Method), new Uri($"http://{received.Host}{received.Path}{received.QueryString}"));
        var content = new ByteArrayContent(body);
        foreach (var name in signedHeaders)
        {
            var value = received.Headers[name].ToString();
            if (!request.Headers.TryAddWithoutValidation(name, value))
                content.Headers.TryAddWithoutValidation(name, value);
        }
        request.Content = content;

        var time = DateTimeOffset.ParseExact(received.Headers["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var expected = SigV4Signer.SignWithDetails(request, body, scope[2], "events",
            new ImmutableCredentials(expectedKey.AccessKey, expectedKey.SecretKey, null), time);
        return expected.Authorization == received.Headers.Authorization.ToString() ? null : $"expected {expected.Authorization}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
