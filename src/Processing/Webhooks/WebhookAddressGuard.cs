using System.Net;
using System.Net.Sockets;

namespace Payments.Processing.Webhooks;

/// <summary>
/// Decides whether a webhook may be sent to an address (SSRF): never to loopback, private, shared, link-local, unspecified,
/// unique-local, multicast, reserved or cloud-metadata addresses, nor to those written inside an IPv6 address
/// (<c>::ffff:127.0.0.1</c>, NAT64, 6to4), unless <see cref="WebhookOptions.AllowedNetworks"/> permits them. Checked when an
/// endpoint is registered (<see cref="CheckUrl"/>) and again for the address actually connected to (<see cref="IsAllowed"/>),
/// because DNS may answer differently later.
/// </summary>
public sealed class WebhookAddressGuard
{
    public delegate Task<IPAddress[]> Resolver(string host, CancellationToken cancellationToken);

    static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    // First match names the kind, so the specific ranges come before the ranges that hold them.
    static readonly (IPNetwork Network, string Kind)[] Refused =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("169.254.169.254/32"), "cloud metadata"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved for IETF protocols"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved for benchmarking"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fd00:ec2::254/128"), "cloud metadata"),
        (IPNetwork.Parse("fc00::/7"), "unique-local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
        (IPNetwork.Parse("100::/64"), "discard-only"),
    ];

    readonly WebhookOptions _options;
    readonly IPNetwork[] _allowed;
    readonly Resolver _resolve;

    public WebhookAddressGuard(WebhookOptions options, Resolver? resolve = null)
    {
        _options = options;
        _allowed = [.. options.AllowedNetworks.Select(n => IPNetwork.Parse(n))];
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    public bool IsAllowed(IPAddress address) => RefusedKind(address) is null;

    /// <summary>Why <paramref name="address"/> may not be contacted (e.g. "loopback"); null when it may.</summary>
    public string? RefusedKind(IPAddress address)
    {
        var embedded = EmbeddedIPv4(address);
        if (IsInAllowList(address) || (embedded is not null && IsInAllowList(embedded)))
            return null;
        if (embedded is not null && KindOf(embedded) is { } kind)
            return $"{kind} (IPv4 {embedded} inside IPv6)";
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && IsIPv4Compatible(address))
            return "deprecated IPv4-compatible IPv6";
        return KindOf(address);
    }

    /// <summary>
    /// Whether <paramref name="url"/> may receive webhooks: absolute, <c>https</c> (or <c>http</c> with
    /// <see cref="WebhookOptions.AllowHttp"/>), no user name or password, and its host, or every address its name resolves to,
    /// allowed by <see cref="IsAllowed"/>. Returns why not as a sentence for the client, or null when it may.
    /// </summary>
    public async Task<string?> CheckUrl(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
            return "must be an absolute URL such as https://example.com/webhooks";
        if (uri.Scheme != Uri.UriSchemeHttps && !(_options.AllowHttp && uri.Scheme == Uri.UriSchemeHttp))
            return _options.AllowHttp ? "must be an https or http URL" : "must be an https URL";
        if (uri.UserInfo.Length > 0)
            return "must not carry a user name or password";

        var host = uri.IdnHost;
        // A literal address, however written: the parser has already turned decimal, octal and hex IPv4 forms into dotted quads.
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || IPAddress.TryParse(host, out _))
        {
            var address = IPAddress.Parse(host);
            return RefusedKind(address) is { } kind ? $"must not point at {address}, which is {kind}; webhooks go to public addresses only" : null;
        }

        IPAddress[] addresses;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            addresses = await _resolve(host, timeout.Token);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"has a host name that could not be resolved ({host})";
        }
        if (addresses.Length == 0)
            return $"has a host name that could not be resolved ({host})";
        foreach (var address in addresses)
            if (RefusedKind(address) is { } kind)
                return $"has a host name ({host}) that resolves to {address}, which is {kind}; webhooks go to public addresses only";
        return null;
    }

    bool IsInAllowList(IPAddress address) => _allowed.Any(n => n.Contains(address));

    static string? KindOf(IPAddress address)
    {
        foreach (var (network, kind) in Refused)
            if (network.Contains(address))
                return kind;
        return null;
    }

    /// <summary>The IPv4 address an IPv6 one carries and would reach: IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 (2002::/16).</summary>
    static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return null;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
            return new IPAddress(bytes.AsSpan(12, 4));
        if (SixToFour.Contains(address))
            return new IPAddress(bytes.AsSpan(2, 4));
        return null;
    }

    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");

    /// <summary>::a.b.c.d (RFC 4291 deprecated it); :: and ::1 are named by their own kinds.</summary>
    static bool IsIPv4Compatible(IPAddress address) =>
        Compatible.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback);
}
