using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>What the runtime posted: <c>Kind</c> is <c>response</c>, <c>error</c> or <c>init/error</c>.</summary>
public sealed record LambdaAnswer(string Kind, string? RequestId, string? ErrorTypeHeader, string Body, DateTimeOffset At);

/// <summary>
/// A loopback stand-in for the Lambda Runtime API (<c>/2018-06-01/runtime/…</c>): hands out the events a test
/// enqueues through <c>invocation/next</c> (which blocks until one is there, as on Lambda) and records every
/// response, invocation error and init error.
/// </summary>
public sealed class LambdaFakeRuntimeApi : IAsyncDisposable
{
    const string Prefix = "/2018-06-01/runtime/";
    readonly Channel<(string Id, string Body, DateTimeOffset Deadline)> _events = Channel.CreateUnbounded<(string, string, DateTimeOffset)>();
    readonly Channel<LambdaAnswer> _answers = Channel.CreateUnbounded<LambdaAnswer>();
    LoopbackServer? _server;

    public Uri Url { get; private set; } = null!;

    public static async Task<LambdaFakeRuntimeApi> Start()
    {
        var api = new LambdaFakeRuntimeApi();
        api._server = await LoopbackServer.Start(api.Handle);
        api.Url = api._server.Url;
        return api;
    }

    /// <summary>Queues an event for <c>invocation/next</c>; returns its request id.</summary>
    public string Enqueue(string body, DateTimeOffset deadline)
    {
        var id = Guid.NewGuid().ToString();
        _events.Writer.TryWrite((id, body, deadline));
        return id;
    }

    public async Task<LambdaAnswer> NextAnswer(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            return await _answers.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the runtime posted nothing to the fake Runtime API in time");
        }
    }

    async Task Handle(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var route = path[Prefix.Length..];
        if (HttpMethods.IsGet(context.Request.Method) && route == "invocation/next")
        {
            (string Id, string Body, DateTimeOffset Deadline) next;
            try
            {
                next = await _events.Reader.ReadAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the runtime gave up waiting (it is stopping)
            }
            context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.Id;
            context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = next.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:000000000000:function:payments-worker";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(next.Body);
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = 405;
            return;
        }

        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
        var parts = route.Split('/');
        LambdaAnswer? answer = parts switch
        {
            ["init", "error"] => new("init/error", null, errorType, body, DateTimeOffset.UtcNow),
            ["invocation", var id, "response"] => new("response", id, errorType, body, DateTimeOffset.UtcNow),
            ["invocation", var id, "error"] => new("error", id, errorType, body, DateTimeOffset.UtcNow),
            _ => null,
        };
        if (answer is null)
        {
            context.Response.StatusCode = 404;
            return;
        }
        _answers.Writer.TryWrite(answer);
        context.Response.StatusCode = 202;
        await context.Response.WriteAsync("{\"status\":\"OK\"}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
