using System.ComponentModel.DataAnnotations;

namespace Payments.Api.Payments;

/// <summary>What the API accepts in a payment request.</summary>
public class PaymentRules
{
    public const string Section = "Payments:Rules";

    /// <summary>Largest amount in minor units (default: 1,000,000.00 in a two-decimal currency).</summary>
    [Range(1, long.MaxValue)]
    public long MaxAmount { get; set; } = 100_000_000;

    /// <summary>ISO 4217 codes accepted.</summary>
    [MinLength(1)]
    public string[] Currencies { get; set; } = ["USD", "EUR", "GBP", "INR", "JPY", "CHF", "CAD", "AUD", "SGD"];

    [Range(256, 1_048_576)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    [Range(1, 255)]
    public int MaxDescriptionLength { get; set; } = 255;

    [Range(0, 100)]
    public int MaxMetadataEntries { get; set; } = 20;

    [Range(1, 255)]
    public int MaxMetadataKeyLength { get; set; } = 40;

    [Range(1, 2000)]
    public int MaxMetadataValueLength { get; set; } = 500;
}
