using System.IdentityModel.Tokens.Jwt;
using Microsoft.IdentityModel.Tokens;

namespace Payments.Api.Auth;

/// <summary><c>dev-token --sub &lt;uuid&gt; [--minutes N]</c>: prints a token signed with the local key.</summary>
public static class DevToken
{
    public static int Print(IConfiguration configuration, string[] args)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            Console.Error.WriteLine("dev-token needs Auth:SigningKey (env Auth__SigningKey)");
            return 2;
        }

        var sub = ArgValue(args, "--sub") ?? Guid.NewGuid().ToString();
        if (!Guid.TryParse(sub, out _))
        {
            Console.Error.WriteLine("--sub must be a uuid");
            return 2;
        }
        var minutes = int.TryParse(ArgValue(args, "--minutes"), out var m) ? m : 60;

        Console.WriteLine(Create(options, sub, TimeSpan.FromMinutes(minutes)));
        return 0;
    }

    public static string Create(AuthOptions options, string sub, TimeSpan lifetime, DateTime? now = null)
    {
        var issuedAt = now ?? DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = sub },
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(options.SigningKeyBytes()), SecurityAlgorithms.HmacSha256),
        };
        return new JwtSecurityTokenHandler().CreateEncodedJwt(descriptor);
    }

    static string? ArgValue(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
