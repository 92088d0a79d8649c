using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Aws.Signing;

namespace Payments.Aws.Tests;

public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public Dictionary<string, string> Form() =>
        QueryHelpers.ParseQuery(Body).ToDictionary(p => p.Key, p => p.Value.ToString());
}

public sealed record CannedResponse(int Status, string ContentType, string Body);

/// <summary>
/// A loopback stand-in for an AWS endpoint: recomputes each request's SigV4 signature with the known secret,
/// answers 403 on a mismatch, otherwise records the request and returns what <see cref="Respond"/> says.
/// </summary>
public sealed class SigV4VerifyingServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDLOOPBACKTEST";
    public const string SecretKey = "loopback/secret/for/sigv4/verification";

    private WebApplication? _app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Func<RecordedRequest, Task<CannedResponse>> Respond { get; set; } =
        _ => Task.FromResult(new CannedResponse(200, "text/plain", ""));

    public Uri Url { get; private set; } = null!;

    public static async Task<SigV4VerifyingServer> Start()
    {
        var server = new SigV4VerifyingServer();
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
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        await context.Response.WriteAsync(response.Body);
    }

    /// <returns>Null when the signature is right, else why not.</returns>
    private static string? VerifySignature(HttpRequest received, byte[] body)
    {
        var authorization = received.Headers.Authorization.ToString();
        var parts = authorization.Split(' ', 2);
        if (parts is not ["AWS4-HMAC-SHA256", var fields])
            return "not SigV4";
        var field = fields.Split(", ").Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var scope = field["Credential"].Split('/');
        if (scope is not [AccessKey, _, var region, var service, "aws4_request"])
            return "unknown access key or malformed scope";
        var signedHeaders = field["SignedHeaders"].Split(';');

        var token = received.Headers["X-Amz-Security-Token"].ToString();
        if (token.Length > 0 && !signedHeaders.Contains("x-amz-security-token"))
            return "session token not signed";

        var request = new HttpRequestMessage(new HttpMethod(received.Method),
            new Uri($"http://{received.Host}{received.Path}{received.QueryString}"));
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
        var credentials = new ImmutableCredentials(AccessKey, SecretKey, token.Length > 0 ? token : null);
        var expected = SigV4Signer.SignWithDetails(request, body, region, service, credentials, time);
        return expected.Authorization == authorization ? null : $"expected {expected.Authorization}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
