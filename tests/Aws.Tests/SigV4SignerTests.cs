using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Payments.Aws.Signing;

namespace Payments.Aws.Tests;

public class SigV4SignerTests
{
    internal const string AccessKey = "AKIDEXAMPLE";
    internal const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    internal static readonly DateTimeOffset SuiteTime =
        DateTimeOffset.ParseExact("20150830T123600Z", "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal);

    private static string SuiteDir => Path.Combine(AppContext.BaseDirectory, "TestData", "sigv4");

    internal static string ReadVector(string name, string ext) => File.ReadAllText(Path.Combine(SuiteDir, name, $"{name}.{ext}"), Encoding.UTF8);

    internal static List<string> VectorNames() =>
        Directory.GetDirectories(SuiteDir).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Vectors() => new(VectorNames());

    [Fact]
    public void Suite_is_present()
    {
        var names = VectorNames();
        Assert.Equal(27, names.Count);
        Assert.Contains("post-sts-header-before", names);
        Assert.Contains("post-x-www-form-urlencoded-parameters", names);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_aws_test_suite(string name)
    {
        string Read(string ext) => ReadVector(name, ext);
        var (request, body) = ParseRawRequest(Read("req"));
        var token = request.Headers.TryGetValues("X-Amz-Security-Token", out var t) ? t.Single() : null;
        var credentials = new ImmutableCredentials(AccessKey, SecretKey, token);

        var signature = SigV4Signer.SignWithDetails(request, body, "us-east-1", "service", credentials, SuiteTime);

        Assert.Equal(Read("creq"), signature.CanonicalRequest);
        Assert.Equal(Read("sts"), signature.StringToSign);
        Assert.Equal(Read("authz"), signature.Authorization);
        Assert.Equal(Read("authz"), request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void Public_sign_adds_host_date_and_token_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/");
        var credentials = new ImmutableCredentials(AccessKey, SecretKey, "session-token");

        SigV4Signer.Sign(request, [], "us-east-1", "sns", credentials, SuiteTime);

        Assert.Equal("127.0.0.1:4566", request.Headers.Host);
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("session-token", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,",
            request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void Encodes_the_query_once_and_the_path_twice_per_rfc3986()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "http://example.amazonaws.com/a%20b/c!d?b=1+2&a=x*y(z)");
        var credentials = new ImmutableCredentials(AccessKey, SecretKey, null);

        var signature = SigV4Signer.SignWithDetails(request, [], "us-east-1", "service", credentials, SuiteTime);

        var lines = signature.CanonicalRequest.Split('\n');
        Assert.Equal("/a%2520b/c%2521d", lines[1]);
        Assert.Equal("a=x%2Ay%28z%29&b=1%2B2", lines[2]);
    }

    internal static (HttpRequestMessage Request, byte[] Body) ParseRawRequest(string raw)
    {
        var headEnd = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headEnd < 0 ? raw : raw[..headEnd];
        var body = headEnd < 0 ? [] : Encoding.UTF8.GetBytes(raw[(headEnd + 2)..]);
        var lines = head.Split('\n');

        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ')];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var headers = lines.Skip(1).Select(line => (Name: line[..line.IndexOf(':')], Value: line[(line.IndexOf(':') + 1)..])).ToList();
        var host = headers.First(h => h.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value;

        var request = new HttpRequestMessage(new HttpMethod(method), new Uri("https://" + host + target));
        var content = new ByteArrayContent(body);
        var hasContent = body.Length > 0;
        foreach (var (name, value) in headers)
        {
            if (request.Headers.TryAddWithoutValidation(name, value)) continue;
            Assert.True(content.Headers.TryAddWithoutValidation(name, value), $"Unplaceable header {name}");
            hasContent = true;
        }
        if (hasContent) request.Content = content;
        return (request, body);
    }
}
