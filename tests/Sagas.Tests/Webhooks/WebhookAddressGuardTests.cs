using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using Payments.Processing.Webhooks;

namespace Payments.Sagas.Tests.Webhooks;

/// <summary>The SSRF guard on its own: which addresses it refuses, what the allow-list permits, and how it reads a URL.</summary>
public class WebhookAddressGuardTests
{
    static readonly WebhookAddressGuard Production = new(new WebhookOptions());

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.1", "private")]
    [InlineData("100.64.0.1", "shared (carrier-grade NAT)")]
    [InlineData("100.127.255.255", "shared (carrier-grade NAT)")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("fd00:ec2::254", "cloud metadata")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("fd00::1", "unique-local")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)")]
    [InlineData("::ffff:10.0.0.1", "private (IPv4 10.0.0.1 inside IPv6)")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata (IPv4 169.254.169.254 inside IPv6)")]
    [InlineData("64:ff9b::7f00:1", "loopback (IPv4 127.0.0.1 inside IPv6)")]
    [InlineData("2002:a9fe:a9fe::1", "cloud metadata (IPv4 169.254.169.254 inside IPv6)")]
    [InlineData("::127.0.0.1", "deprecated IPv4-compatible IPv6")]
    public void Refused(string address, string kind)
    {
        Assert.False(Production.IsAllowed(IPAddress.Parse(address)));
        Assert.Equal(kind, Production.RefusedKind(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("11.0.0.1")]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_allowed(string address) => Assert.True(Production.IsAllowed(IPAddress.Parse(address)), address);

    [Fact]
    public void The_allow_list_permits_its_networks_and_nothing_else()
    {
        var guard = new WebhookAddressGuard(new WebhookOptions { AllowedNetworks = ["127.0.0.0/8", "::1/128"] });

        Assert.True(guard.IsAllowed(IPAddress.Loopback));
        Assert.True(guard.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.True(guard.IsAllowed(IPAddress.IPv6Loopback));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Theory]
    [InlineData("127.0.0.1/8")]
    [InlineData("localhost")]
    [InlineData("10.0.0.0/33")]
    public void A_network_that_is_not_CIDR_fails_validation(string network)
    {
        var options = new WebhookOptions { AllowedNetworks = [network] };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains(network, Assert.Single(results).ErrorMessage);
    }

    [Theory]
    [InlineData("https://2130706433/")]
    [InlineData("https://0177.0.0.1/")]
    [InlineData("https://0x7f000001/")]
    [InlineData("https://127.1/")]
    public async Task Decimal_octal_and_hex_hosts_are_read_as_the_address_they_are(string url)
    {
        var guard = new WebhookAddressGuard(new WebhookOptions(), NoDns);

        var refusal = await guard.CheckUrl(url, CancellationToken.None);

        Assert.Equal("must not point at 127.0.0.1, which is loopback; webhooks go to public addresses only", refusal);
    }

    [Fact]
    public async Task Every_address_a_name_resolves_to_must_be_allowed()
    {
        var guard = new WebhookAddressGuard(new WebhookOptions(),
            (host, _) => Task.FromResult(host == "mixed.example" ? [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.5")]
                : new[] { IPAddress.Parse("93.184.215.14") }));

        Assert.Null(await guard.CheckUrl("https://public.example/hooks", CancellationToken.None));
        Assert.Equal("has a host name (mixed.example) that resolves to 10.0.0.5, which is private; webhooks go to public addresses only",
            await guard.CheckUrl("https://mixed.example/hooks", CancellationToken.None));
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_refused()
    {
        var guard = new WebhookAddressGuard(new WebhookOptions(), (_, _) => throw new SocketException((int)SocketError.HostNotFound));

        Assert.Equal("has a host name that could not be resolved (nowhere.example)",
            await guard.CheckUrl("https://nowhere.example/", CancellationToken.None));
    }

    [Theory]
    [InlineData("/relative", false, "must be an absolute URL such as https://example.com/webhooks")]
    [InlineData("example.com/hooks", false, "must be an absolute URL such as https://example.com/webhooks")]
    [InlineData("http://public.example/", false, "must be an https URL")]
    [InlineData("ftp://public.example/", true, "must be an https or http URL")]
    [InlineData("https://user:secret@public.example/", false, "must not carry a user name or password")]
    [InlineData("http://public.example/", true, null)]
    [InlineData("https://public.example:8443/hooks?x=1", false, null)]
    public async Task The_URL_itself(string url, bool allowHttp, string? refusal)
    {
        var guard = new WebhookAddressGuard(new WebhookOptions { AllowHttp = allowHttp },
            (_, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.215.14") }));

        Assert.Equal(refusal, await guard.CheckUrl(url, CancellationToken.None));
    }

    static Task<IPAddress[]> NoDns(string host, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{host} went to DNS: a literal address must not");
}
