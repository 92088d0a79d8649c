using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Payments.Processing.Webhooks;

/// <summary>
/// The HTTP client webhooks go out on. Redirects are not followed (a 3xx is a failure, and its target is never
/// contacted), no cookies, no proxy (a proxy would connect on our behalf, past the address check), and every connection
/// goes through <see cref="Connect"/>: the host is resolved at that moment and refused when any address it resolves to
/// is one the guard refuses, so a name re-pointed at a private address after registration is not contacted. No retry
/// handler: the delivery schedule is the retry.
/// </summary>
public static class WebhookHttpClient
{
    public const string Name = "webhooks";
    public const string UserAgent = "Payments-Webhooks/1.0";

    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(Name, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<IOptions<WebhookDeliveryOptions>>().Value.Timeout;
                client.DefaultRequestHeaders.UserAgent.Add(ProductInfoHeaderValue.Parse(UserAgent));
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var guard = sp.GetRequiredService<WebhookAddressGuard>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    UseProxy = false,
                    ConnectCallback = (context, cancellationToken) => Connect(context.DnsEndPoint, guard, cancellationToken),
                };
            });
        return services;
    }

    static async ValueTask<Stream> Connect(DnsEndPoint endPoint, WebhookAddressGuard guard, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        // Any refused address refuses the host: a name answering with a public and a private address must not get a
        // second chance at the private one.
        if (addresses.Length == 0 || !addresses.All(guard.IsAllowed))
            throw new WebhookAddressRefusedException(endPoint.Host);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
