using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace Payments.Aws.Signing;

/// <summary>AWS Signature Version 4 for non-S3 services, applied to an <see cref="HttpRequestMessage"/>.</summary>
public static class SigV4Signer
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Adds Host, X-Amz-Date, X-Amz-Security-Token (when the credentials carry one) and Authorization.
    /// Every header already on the request is signed, so set them all before calling this.
    /// <paramref name="body"/> must be the exact bytes of the request content.
    /// </summary>
    public static void Sign(HttpRequestMessage request, byte[] body, string region, string service,
        ImmutableCredentials credentials, DateTimeOffset now)
        => SignWithDetails(request, body, region, service, credentials, now);

    internal static SigV4Signature SignWithDetails(HttpRequestMessage request, byte[] body, string region,
        string service, ImmutableCredentials credentials, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no RequestUri.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";

        request.Headers.Host ??= uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
        SetHeader(request, "X-Amz-Date", amzDate);
        if (credentials.UseToken)
            SetHeader(request, "X-Amz-Security-Token", credentials.Token);
        request.Headers.Authorization = null;

        var headers = CanonicalHeaders(request);
        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = string.Join('\n',
            request.Method.Method,
            CanonicalUri(uri),
            CanonicalQuery(uri),
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")),
            signedHeaders,
            Hex(SHA256.HashData(body)));

        var stringToSign = string.Join('\n',
            Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Encoding.UTF8.GetBytes("AWS4" + credentials.SecretKey);
        foreach (var part in new[] { amzDate[..8], region, service, "aws4_request" })
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        var authorization =
            $"{Algorithm} Credential={credentials.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return new SigV4Signature(canonicalRequest, stringToSign, authorization);
    }

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }

    private static SortedDictionary<string, string> CanonicalHeaders(HttpRequestMessage request)
    {
        var all = request.Headers.NonValidated.AsEnumerable();
        if (request.Content is not null)
            all = all.Concat(request.Content.Headers.NonValidated);

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in all)
        {
            var key = name.ToLowerInvariant();
            var value = string.Join(',', values.Select(CollapseSpaces));
            result[key] = result.TryGetValue(key, out var existing) ? existing + "," + value : value;
        }
        return result;
    }

    private static string CollapseSpaces(string value) =>
        string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Non-S3 rule: drop empty and dot segments, then encode each decoded segment twice, as AWSSDK.Core's AWS4Signer does
    // (S3 alone encodes once). The paths the clients send ("/") are the same either way.
    private static string CanonicalUri(Uri uri)
    {
        var path = uri.AbsolutePath;
        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".") continue;
            if (segment == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); continue; }
            segments.Add(Uri.EscapeDataString(Uri.EscapeDataString(Uri.UnescapeDataString(segment))));
        }
        if (segments.Count == 0) return "/";
        var canonical = "/" + string.Join('/', segments);
        return path.EndsWith('/') ? canonical + "/" : canonical;
    }

    private static string CanonicalQuery(Uri uri)
    {
        var pairs = uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=');
                var name = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? "" : pair[(eq + 1)..];
                return (Name: Encode(name), Value: Encode(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
    }

    private static string Encode(string escaped) => Uri.EscapeDataString(Uri.UnescapeDataString(escaped));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

internal sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string Authorization);
