using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Payments.Processing.Webhooks;

/// <summary>Where webhooks may go and how long an endpoint's secrets and failures are tolerated (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>Accept <c>http</c> URLs as well as <c>https</c>: for Development and tests only.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Networks in CIDR form (<c>127.0.0.0/8</c>, <c>::1/128</c>) that may be contacted although the address guard would refuse
    /// them (loopback for local receivers); empty by default.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>How long the previous secret keeps signing beside the new one after a rotation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan SecretRotationGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An endpoint that has failed every attempt for this long is disabled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks)
            if (!IsCidr(network))
                yield return new ValidationResult(
                    $"'{network}' is not a network in CIDR form with its host bits zero (e.g. 127.0.0.0/8 or ::1/128)",
                    [nameof(AllowedNetworks)]);
    }

    // IPNetwork.TryParse accepts host bits (127.0.0.1/8); refuse them, the operator may have meant a single address.
    static bool IsCidr(string text) =>
        IPNetwork.TryParse(text, out var network) && text.Split('/') is [var address, _]
        && IPAddress.TryParse(address, out var written) && written.Equals(network.BaseAddress);
}
