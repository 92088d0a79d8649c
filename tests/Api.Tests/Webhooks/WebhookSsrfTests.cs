using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Payments.Processing.Webhooks;
using Payments.TestSupport;
using static Payments.TestSupport.ProblemAssertions;
using static Payments.TestSupport.WebhookEndpointRequests;

namespace Payments.Api.Tests.Webhooks;

/// <summary>
/// Registration refuses URLs that would make the API's hosts call into their own networks (SSRF), however the address is
/// written: on an API configured as in production — https only, no allow-list — each is a 422 naming <c>url</c>, and nothing
/// is written.
/// </summary>
public class WebhookSsrfTests(WebhookSsrfTests.ProductionRules production) : IClassFixture<WebhookSsrfTests.ProductionRules>
{
    /// <summary>An API without the tests' loopback allow-list and without http.</summary>
    public sealed class ProductionRules : IAsyncLifetime
    {
        public ApiFactory Api { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Api = await ApiFactory.Start(new Dictionary<string, string?> { ["Webhooks:AllowHttp"] = "false" },
                services => services.Configure<WebhookOptions>(o => o.AllowedNetworks = []));

        public async Task DisposeAsync() => await Api.DisposeAsync();
    }

    [Theory]
    [InlineData("https://127.0.0.1/", "loopback")]
    [InlineData("https://127.1.2.3:8443/hooks", "loopback")]
    [InlineData("https://[::1]/", "loopback")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "cloud metadata")]
    [InlineData("https://[fd00:ec2::254]/", "cloud metadata")]
    [InlineData("https://10.1.2.3/", "private")]
    [InlineData("https://172.16.0.1/", "private")]
    [InlineData("https://172.31.255.254/", "private")]
    [InlineData("https://192.168.1.1/", "private")]
    [InlineData("https://100.64.0.1/", "carrier-grade NAT")]
    [InlineData("https://169.254.1.1/", "link-local")]
    [InlineData("https://[fe80::1]/", "link-local")]
    [InlineData("https://0.0.0.0/", "unspecified")]
    [InlineData("https://[::]/", "unspecified")]
    [InlineData("https://[fd00::1]/", "unique-local")]
    [InlineData("https://[fc00::1]/", "unique-local")]
    [InlineData("https://224.0.0.1/", "multicast")]
    [InlineData("https://2130706433/", "loopback")]
    [InlineData("https://0177.0.0.1/", "loopback")]
    [InlineData("https://0x7f.0.0.1/", "loopback")]
    [InlineData("https://127.1/", "loopback")]
    [InlineData("https://[::ffff:127.0.0.1]/", "loopback")]
    [InlineData("https://[::ffff:a9fe:a9fe]/", "cloud metadata")]
    [InlineData("https://[64:ff9b::a00:1]/", "private")]
    [InlineData("https://localhost/", "loopback")]
    [InlineData("http://example.com/", "https")]
    public async Task Refused_at_registration_and_nothing_written(string url, string named)
    {
        var user = Guid.NewGuid();
        using var client = production.Api.ClientFor(user);

        using var response = await Post(client, Body(url), Guid.NewGuid().ToString());

        var problem = await AssertProblem(response, (HttpStatusCode)422, ProblemPrefix + "unprocessable-content");
        AssertNamesField(problem, "url");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(named, detail);
        Assert.DoesNotContain("Exception", detail);
        Assert.Equal(0, await production.Api.Sql.Count("webhook_endpoints", $"user_id = '{user}'"));
        Assert.Equal(0, await production.Api.Sql.Count("idempotency_keys", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task A_change_to_a_private_address_is_refused_too()
    {
        var user = Guid.NewGuid();
        using var client = production.Api.ClientFor(user);
        // Written as the API would have stored it when the address was public: the guard is what the change meets.
        var id = Guid.NewGuid();
        await production.Api.Sql.Execute("INSERT INTO webhook_endpoints (id, user_id, url, event_types, enabled, secret, created_at, updated_at) "
                                         + $"VALUES ('{id}', '{user}', 'https://hooks.example.com/', '{{payment.failed}}', true, 'whsec_x', now(), now())");

        using var response = await Patch(client, id.ToString(), new System.Text.Json.Nodes.JsonObject { ["url"] = "https://[::ffff:10.0.0.1]/" });

        AssertNamesField(await AssertProblem(response, (HttpStatusCode)422, ProblemPrefix + "unprocessable-content"), "url");
        Assert.Equal(1, await production.Api.Sql.Count("webhook_endpoints", $"id = '{id}' AND url = 'https://hooks.example.com/'"));
    }
}
