using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Payments.Api.Problems;

namespace Payments.Api.Auth;

public static class AuthRegistration
{
    public static void AddPaymentsAuth(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        StartupValidation.Require(options, AuthOptions.Section);
        // Validation treats an empty key as none (exactly one of key and authority is set), and so must everything here.
        var localKey = !string.IsNullOrWhiteSpace(options.SigningKey);
        if (localKey && !builder.Environment.IsDevelopment() && !builder.Environment.IsEnvironment("Testing"))
            throw new InvalidOperationException(
                $"Auth:SigningKey is for local development only; in {builder.Environment.EnvironmentName} configure Auth:Authority.");

        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = options.Issuer,
                    ValidateAudience = true,
                    ValidAudience = options.Audience,
                    // aud, or client_id when there is no aud (Cognito access tokens), as API Gateway's JWT authorizer checks.
                    AudienceValidator = GatewayAudience.Validate,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                };
                if (localKey)
                {
                    jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(options.SigningKeyBytes());
                    jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                }
                else
                {
                    jwt.Authority = options.Authority;
                    jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
                }

                jwt.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await ApiProblems.Unauthorized().ExecuteAsync(context.HttpContext);
                    },
                };
            });
        builder.Services.AddAuthorization();
    }

    /// <summary>The caller's user id: the token's <c>sub</c>, which must be a uuid.</summary>
    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue("sub"), out var id) ? id : null;
}
