namespace Payments.Processing.Webhooks;

/// <summary>The endpoint's host is, or resolves to, an address webhooks may not contact; raised at connect time.</summary>
public sealed class WebhookAddressRefusedException(string host)
    : Exception($"{host} is or resolves to an address webhooks may not contact")
{
    public string Host { get; } = host;
}
