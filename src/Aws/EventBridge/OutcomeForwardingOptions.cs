using System.ComponentModel.DataAnnotations;

namespace Payments.Aws.EventBridge;

/// <summary>
/// Forwarding of the outcome events (<c>PaymentSucceeded</c>, <c>PaymentFailed</c>) to an EventBridge custom bus.
/// Off unless <see cref="BusName"/> is set.
/// </summary>
public class OutcomeForwardingOptions : IValidatableObject
{
    public const string Section = "Payments:EventBridge";
    public const string BusNameKey = Section + ":" + nameof(BusName);

    /// <summary>The custom event bus, by name or ARN. Empty: forwarding is off and its consumer and queue do not exist.</summary>
    [RegularExpression(@"^([/\.\-_A-Za-z0-9]{1,256}|arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[/\.\-_A-Za-z0-9]{1,256})?$",
        ErrorMessage = BusNameKey + " must be an event bus name (letters, digits, '.', '-', '_', '/') or an event bus ARN.")]
    public string? BusName { get; set; }

    [Required]
    [RegularExpression("^[a-z]{2}(-[a-z]+)+-[0-9]+$", ErrorMessage = Section + ":Region must be an AWS region such as us-east-1.")]
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// Endpoint override for tests and local runs (http://127.0.0.1:port); null on AWS. With an override the
    /// requests are signed with fixed local credentials, as for the SQS/SNS emulator; on AWS the SDK's default chain applies.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(BusName);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ServiceUrl is not null && !(ServiceUrl.IsAbsoluteUri && ServiceUrl.Scheme is "http" or "https"))
            yield return new ValidationResult($"{Section}:ServiceUrl must be an absolute http(s) URL, e.g. http://127.0.0.1:4010/.",
                [nameof(ServiceUrl)]);
    }
}
