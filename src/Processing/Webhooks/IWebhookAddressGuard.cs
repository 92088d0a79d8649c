using System.Net;

namespace Payments.Processing.Webhooks;

/// <summary>Whether an address may be contacted by a webhook delivery (SSRF): asked for every address a host resolves to, at connect time.</summary>
public interface IWebhookAddressGuard
{
    bool IsAllowed(IPAddress address);
}
