using System.ComponentModel.DataAnnotations;
using System.Text;

namespace Payments.Api.Auth;

/// <summary>
/// Bearer-token validation. Locally a shared HS256 key; elsewhere an OIDC authority whose published keys
/// (JWKS) sign the tokens, as API Gateway's JWT authorizer and Cognito do. There is no default key.
/// </summary>
public class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>HS256 key (base64, or text) of at least 256 bits; local development and tests only.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OIDC issuer URL; its discovery document names the signing keys.</summary>
    public string? Authority { get; set; }

    [Required]
    public string Issuer { get; set; } = "payments-local";

    [Required]
    public string Audience { get; set; } = "payments-api";

    public bool RequireHttpsMetadata { get; set; } = true;

    public byte[] SigningKeyBytes()
    {
        var key = SigningKey!.Trim();
        var buffer = new byte[key.Length];
        return Convert.TryFromBase64String(key, buffer, out var written) ? buffer[..written] : Encoding.UTF8.GetBytes(key);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasKey = !string.IsNullOrWhiteSpace(SigningKey);
        var hasAuthority = !string.IsNullOrWhiteSpace(Authority);
        if (hasKey == hasAuthority)
            yield return new ValidationResult("Set exactly one of Auth:SigningKey (local development) or Auth:Authority (OIDC issuer).",
                [nameof(SigningKey), nameof(Authority)]);
        else if (hasKey && SigningKeyBytes().Length < 32)
            yield return new ValidationResult("Auth:SigningKey must hold at least 32 bytes (256 bits).", [nameof(SigningKey)]);
    }
}
