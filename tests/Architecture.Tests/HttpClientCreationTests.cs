using System.Text.RegularExpressions;
using Payments.TestSupport;

namespace Payments.Architecture.Tests;

/// <summary>
/// No code under <c>src/</c> makes an <see cref="HttpClient"/> itself: clients come from <c>IHttpClientFactory</c>, whose
/// handlers are pooled and rotated and carry the resilience pipeline.
/// </summary>
public partial class HttpClientCreationTests
{
    // new HttpClient(…) / new HttpClient { … } / new System.Net.Http.HttpClient(…), and HttpClient x = new(…).
    [GeneratedRegex(@"new\s+(global::)?(System\.Net\.Http\.)?HttpClient\s*[({]|\bHttpClient\??\s+\w+\s*=\s*new\s*\(")]
    private static partial Regex NewHttpClient();

    [Fact]
    public void Nothing_in_src_news_up_an_HttpClient()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Intersect(["bin", "obj"]).Any())
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => NewHttpClient().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };")]
    [InlineData("var http = new HttpClient();")]
    [InlineData("return new System.Net.Http.HttpClient(handler);")]
    [InlineData("HttpClient http = new();")]
    public void The_scan_catches_every_way_of_writing_it(string line) => Assert.Matches(NewHttpClient(), line);
}
