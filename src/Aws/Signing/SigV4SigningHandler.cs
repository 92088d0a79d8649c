namespace Payments.Aws.Signing;

/// <summary>
/// Signs every attempt of a request as it goes out. It sits inside the resilience handler, so a retry is signed again:
/// a fresh X-Amz-Date (AWS refuses a signature more than 5 minutes old) and the credentials of the moment (role and
/// container credentials rotate).
/// </summary>
internal sealed class SigV4SigningHandler(AwsSigningTarget target) : DelegatingHandler
{
    static readonly HttpRequestOptionsKey<HashSet<string>> CallerHeaders = new("Payments.Aws.SigV4.CallerHeaders");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        KeepCallerHeadersOnly(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var credentials = await target.Credentials.GetCredentialsAsync();
        SigV4Signer.Sign(request, body, target.Region, target.Service, credentials, DateTimeOffset.UtcNow);
        return await base.SendAsync(request, cancellationToken);
    }

    // The signer signs every header on the request. The handlers below this one add headers of their own as an attempt
    // goes out (trace context, the computed Content-Length) and may replace them on the next; signing those on a retry
    // would break the signature, so a retry is signed over the caller's headers only, as the first attempt was.
    static void KeepCallerHeadersOnly(HttpRequestMessage request)
    {
        if (!request.Options.TryGetValue(CallerHeaders, out var callerHeaders))
        {
            request.Options.Set(CallerHeaders, Names(request).ToHashSet(StringComparer.OrdinalIgnoreCase));
            return;
        }
        foreach (var name in request.Headers.Select(h => h.Key).Where(n => !callerHeaders.Contains(n)).ToList())
            request.Headers.Remove(name);
        if (request.Content is { } content)
            foreach (var name in content.Headers.Select(h => h.Key).Where(n => !callerHeaders.Contains(n)).ToList())
                content.Headers.Remove(name);
    }

    static IEnumerable<string> Names(HttpRequestMessage request) =>
        request.Headers.NonValidated.Select(h => h.Key)
            .Concat(request.Content?.Headers.NonValidated.Select(h => h.Key) ?? []);
}
