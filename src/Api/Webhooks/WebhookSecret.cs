using System.Security.Cryptography;

namespace Payments.Api.Webhooks;

/// <summary>A signing secret as Standard Webhooks writes it: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const int KeyBytes = 32;

    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));
}
