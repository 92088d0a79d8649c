using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Payments.Api.Auth;

/// <summary>
/// The audience rule of API Gateway's JWT authorizer, so that a token the gateway lets through is not refused here:
/// a token with <c>aud</c> must name the configured audience there; only a token without <c>aud</c> — a Cognito access
/// token — may name it as <c>client_id</c> instead, and then, when it says what it is (<c>token_use</c>), it must be an
/// access token. A token with neither, or with a wrong <c>aud</c> (whatever its <c>client_id</c>), is refused.
/// </summary>
public static class GatewayAudience
{
    /// <summary>An <see cref="AudienceValidator"/> that checks against <see cref="TokenValidationParameters.ValidAudience"/>.</summary>
    public static bool Validate(IEnumerable<string>? audiences, SecurityToken? token, TokenValidationParameters parameters) =>
        parameters.ValidAudience is { Length: > 0 } audience && Accepts(audiences, token, audience);

    static bool Accepts(IEnumerable<string>? audiences, SecurityToken? token, string audience)
    {
        var aud = audiences?.ToList() ?? [];
        if (aud.Count > 0)
            return aud.Contains(audience, StringComparer.Ordinal);
        return token is JsonWebToken jwt
               && jwt.TryGetPayloadValue<string>("client_id", out var clientId) && clientId == audience
               && (!jwt.TryGetPayloadValue<object>("token_use", out _)
                   || jwt.TryGetPayloadValue<string>("token_use", out var use) && use == "access");
    }
}
