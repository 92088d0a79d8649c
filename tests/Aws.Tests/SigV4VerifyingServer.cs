using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public DateTimeOffset ReceivedAt { get; } = DateTimeOffset.UtcNow;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public Dictionary<string, string> Form() =>
        QueryHelpers.ParseQuery(Body).ToDictionary(p => p.Key, p => p.Value.ToString());
}

public sealed record CannedResponse(int Status, string ContentType, string Body)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Cuts the connection instead of answering: a network error for the client.</summary>
    public static readonly CannedResponse Abort = new(0, "", "");
}

/// <summary>
/// A loopback stand-in for an AWS endpoint: recomputes each request's SigV4 signature with the known secret,
/// answers 403 on a mismatch, otherwise records the request and returns what <see cref="Respond"/> says.
/// </summary>
public sealed class SigV4VerifyingServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDLOOPBACKTEST";
    public const string SecretKey = "loopback/secret/for/sigv4/verification";

    LoopbackServer? _server;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Func<RecordedRequest, Task<CannedResponse>> Respond { get; set; } =
        _ => Task.FromResult(new CannedResponse(200, "text/plain", ""));

    public Uri Url { get; private set; } = null!;

    public static async Task<SigV4VerifyingServer> Start()
    {
        var server = new SigV4VerifyingServer();
        server._server = await LoopbackServer.Start(server.Handle);
        server.Url = server._server.Url;
        return server;
    }

    private async Task Handle(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        if (SigV4Recheck.Problem(context.Request, body, AccessKey, SecretKey) is { } problem)
        {
            var json = context.Request.ContentType?.StartsWith("application/x-amz-json", StringComparison.Ordinal) == true;
            await Write(context, new CannedResponse(403, json ? "application/x-amz-json-1.1" : "text/xml", json
                ? $$"""{"__type":"InvalidSignatureException","message":"{{problem}}"}"""
                : $"<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>{problem}</Message></Error></ErrorResponse>"));
            return;
        }

        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            System.Text.Encoding.UTF8.GetString(body));
        Requests.Enqueue(recorded);
        await Write(context, await Respond(recorded));
    }

    private static async Task Write(HttpContext context, CannedResponse response)
    {
        if (ReferenceEquals(response, CannedResponse.Abort))
        {
            context.Abort();
            return;
        }
        foreach (var (name, value) in response.Headers)
            context.Response.Headers[name] = value;
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        await context.Response.WriteAsync(response.Body);
    }

    /// <returns>Null when the signature is right, else why not.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
