using System.Globalization;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Payments.Aws.Tests;

/// <summary>
/// What a fake AWS endpoint does with a request: signs it again with the secret it knows (the same signed headers, body,
/// time, region and service) using AWSSDK.Core's SigV4 steps (<see cref="SdkSigV4"/>), not the project's signer, and
/// compares the Authorization header. Null when it matches, else what is wrong.
/// </summary>
static class SigV4Recheck
{
    public static string? Problem(HttpRequest received, byte[] body, string accessKey, string secretKey, string? region = null, string? service = null)
    {
        var authorization = received.Headers.Authorization.ToString();
        if (authorization.Split(' ', 2) is not ["AWS4-HMAC-SHA256", var fields])
            return "not SigV4";
        var field = fields.Split(", ").Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var scope = field["Credential"].Split('/');
        if (scope is not [var key, _, var signedRegion, var signedService, "aws4_request"] || key != accessKey
            || (region is not null && signedRegion != region) || (service is not null && signedService != service))
            return $"unexpected access key or credential scope {field["Credential"]}";
        var signedHeaders = field["SignedHeaders"].Split(';');

        var token = received.Headers["X-Amz-Security-Token"].ToString();
        if (token.Length > 0 && !signedHeaders.Contains("x-amz-security-token"))
            return "session token not signed";

        // The target as it came over the wire, before Kestrel decoded it.
        var target = received.HttpContext.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var url = new Uri($"http://{received.Host}{target}");
        var headers = signedHeaders.SelectMany(name => received.Headers[name].Select(value => (name, value ?? "")));
        var time = DateTimeOffset.ParseExact(received.Headers["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var credentials = new ImmutableCredentials(accessKey, secretKey, token.Length > 0 ? token : null);

        var expected = SdkSigV4.Sign(received.Method, url, headers, body, signedRegion, signedService, credentials, time.UtcDateTime);
        return expected.Authorization == authorization ? null : $"expected {expected.Authorization}";
    }
}
