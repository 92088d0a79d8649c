using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Payments.TestSupport;

/// <summary>A merchant's webhook endpoint on loopback: records every request it gets and answers as the test says.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly LoopbackServer _server;
    readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    WebhookReceiver(LoopbackServer server) => _server = server;

    public Uri Url => _server.Url;
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Answers each request with <paramref name="answer"/> (204 when null), after recording it.</summary>
    public static async Task<WebhookReceiver> Start(Func<HttpContext, ReceivedWebhook, Task>? answer = null)
    {
        WebhookReceiver? receiver = null;
        var server = await LoopbackServer.Start(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var webhook = new ReceivedWebhook(body, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)),
                DateTimeOffset.UtcNow);
            receiver!._received.Enqueue(webhook);
            if (answer is null)
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            else
                await answer(context, webhook);
        });
        receiver = new WebhookReceiver(server);
        return receiver;
    }

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitFor(int count, TimeSpan? timeout = null)
    {
        await Sql.WaitUntil(() => Task.FromResult(_received.Count >= count), timeout ?? TimeSpan.FromSeconds(20), $"{count} webhooks at {Url}");
        return Received;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

public sealed record ReceivedWebhook(string Body, IHeaderDictionary Headers, DateTimeOffset At)
{
    public string Id => Headers["webhook-id"].ToString();
    public string[] Signatures => Headers["webhook-signature"].ToString().Split(' ');

    /// <summary>Verifies as a merchant would, with the StandardWebhooks package; throws when it does not verify.</summary>
    public void Verify(string secret) => new StandardWebhook(secret).Verify(Body, Headers);

    /// <summary>Verifies with only one of the signatures in the header.</summary>
    public void VerifyOnly(string signature, string secret)
    {
        var headers = new HeaderDictionary(Headers.ToDictionary(h => h.Key, h => h.Value)) { ["webhook-signature"] = signature };
        new StandardWebhook(secret).Verify(Body, headers);
    }
}
