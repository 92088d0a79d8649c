using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace Payments.Aws.Tests;

/// <summary>
/// AWSSDK.Core's own SigV4 steps (<see cref="AWS4Signer"/>'s canonicalisation, string to sign and signature) over a
/// request as it was sent: the headers it signed, nothing added. Shares no code with the project's signer, so a check
/// made with it is independent of what it checks. (<see cref="AWS4Signer.SignRequest(Amazon.Runtime.Internal.IRequest, IClientConfig, Amazon.Runtime.Internal.Util.RequestMetrics, string, string, DateTime)"/>
/// itself always adds and signs an <c>x-amz-content-sha256</c> header, which the project's clients do not send.)
/// </summary>
sealed class SdkSigV4 : AWS4Signer
{
    public sealed record Result(string CanonicalRequest, string Authorization);

    /// <param name="headers">Every header to sign, names in any case, a name given more than once for several values.</param>
    public static Result Sign(string method, Uri url, IEnumerable<(string Name, string Value)> headers, byte[] body,
        string region, string service, ImmutableCredentials credentials, DateTime signedAt)
    {
        var sortedHeaders = SortAndPruneHeaders(headers
            .GroupBy(h => h.Name.ToLowerInvariant(), h => h.Value.Trim())
            .Select(g => new KeyValuePair<string, string>(g.Key, string.Join(',', g))));
        var query = url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p.ElementAtOrDefault(1) ?? "")))
            // The SDK orders by name only, keeping the given order within a name; SigV4 orders by value next.
            .OrderBy(p => AWSSDKUtils.UrlEncode(p.Key, false), StringComparer.Ordinal)
            .ThenBy(p => AWSSDKUtils.UrlEncode(p.Value, false), StringComparer.Ordinal);

        var canonicalRequest = CanonicalizeRequest(new Uri(url.GetLeftPart(UriPartial.Authority)), Uri.UnescapeDataString(url.AbsolutePath),
            method, sortedHeaders, CanonicalizeQueryParameters(query), Convert.ToHexStringLower(SHA256.HashData(body)), null, doubleEncode: true);
        var result = ComputeSignature(credentials.AccessKey, credentials.SecretKey, region, signedAt, service,
            CanonicalizeHeaderNames(sortedHeaders), canonicalRequest);
        return new Result(canonicalRequest, result.ForAuthorizationHeader);
    }
}
