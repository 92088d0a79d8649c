using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Payments.TestSupport;

namespace Payments.Api.Tests;

/// <summary>
/// The API behind API Gateway, configured with an OIDC authority (Auth:Authority) as on AWS: tokens signed by the keys the
/// issuer publishes. The gateway's JWT authorizer accepts a token whose aud names the audience, or — only when there is no
/// aud, as in a Cognito access token — whose client_id does; the API must accept exactly those too, not answer 401 to
/// requests the gateway let through.
/// </summary>
public class GatewayAudienceTests(GatewayAudienceTests.OidcApi oidc) : IClassFixture<GatewayAudienceTests.OidcApi>
{
    const string Audience = "payments-api"; // the default Auth:Audience and Terraform jwt_audience

    /// <summary>The token's audience claims per case: aud (null: none), client_id (null: none), token_use (null: none).</summary>
    static readonly Dictionary<string, (string? Aud, string? ClientId, string? TokenUse)> Accepted = new()
    {
        ["aud right"] = (Audience, null, null),
        ["aud right (Cognito id token)"] = (Audience, null, "id"),
        ["client_id right without aud (Cognito access token)"] = (null, Audience, "access"),
        ["client_id right without aud or token_use"] = (null, Audience, null),
    };

    static readonly Dictionary<string, (string? Aud, string? ClientId, string? TokenUse)> Refused = new()
    {
        ["both missing"] = (null, null, null),
        ["both missing (access token)"] = (null, null, "access"),
        ["both wrong"] = ("someone-else", "someone-else", "access"),
        ["client_id wrong without aud"] = (null, "someone-else", "access"),
        ["aud wrong but client_id right (the gateway reads client_id only without aud)"] = ("someone-else", Audience, "access"),
        ["client_id right without aud but token_use id"] = (null, Audience, "id"),
    };

    public static TheoryData<string> AcceptedNames() => [.. Accepted.Keys];

    public static TheoryData<string> RefusedNames() => [.. Refused.Keys];

    [Theory]
    [MemberData(nameof(AcceptedNames))]
    public async Task A_token_the_gateway_lets_through_is_accepted(string name)
    {
        var user = Guid.NewGuid();
        using var client = Client(oidc.Token(user, Accepted[name]));

        using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user), Guid.NewGuid().ToString());
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{name}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        using var read = await client.GetAsync(created.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public async Task A_token_the_gateway_refuses_gets_401_and_writes_nothing(string name)
    {
        var user = Guid.NewGuid();
        using var client = Client(oidc.Token(user, Refused[name]));

        using (var created = await PaymentRequests.Post(client, PaymentRequests.Body(user), Guid.NewGuid().ToString()))
            await ProblemAssertions.AssertUnauthorized(created);
        using (var list = await client.GetAsync("/payments"))
            await ProblemAssertions.AssertUnauthorized(list);
        Assert.Equal(0, await oidc.Api.Sql.Count("payments", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task A_token_with_the_right_audience_signed_by_a_key_the_issuer_does_not_publish_gets_401()
    {
        using var stranger = RSA.Create(2048);
        var user = Guid.NewGuid();
        using var client = Client(oidc.Token(user, Audience, null, "access", stranger));
        using var response = await client.GetAsync("/payments");
        await ProblemAssertions.AssertUnauthorized(response);
    }

    HttpClient Client(string token)
    {
        var client = oidc.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An OIDC issuer on loopback (discovery document and JWKS with one RSA key) and the API configured with it.</summary>
    public sealed class OidcApi : IAsyncLifetime
    {
        const string KeyId = "test-key-1";
        readonly RSA _key = RSA.Create(2048);
        LoopbackServer _issuer = null!;

        public ApiFactory Api { get; private set; } = null!;

        string Issuer => _issuer.Url.ToString();

        public async Task InitializeAsync()
        {
            _issuer = await LoopbackServer.Start(Serve);
            Api = await ApiFactory.Start(new Dictionary<string, string?>
            {
                ["Auth:SigningKey"] = null,
                ["Auth:Authority"] = Issuer,
                ["Auth:Issuer"] = Issuer,
                ["Auth:Audience"] = Audience,
                ["Auth:RequireHttpsMetadata"] = "false",
            });
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await _issuer.DisposeAsync();
            _key.Dispose();
        }

        public string Token(Guid user, (string? Aud, string? ClientId, string? TokenUse) audience) =>
            Token(user, audience.Aud, audience.ClientId, audience.TokenUse);

        /// <summary>An RS256 token from this issuer for <paramref name="user"/>, signed with its published key unless another is given.</summary>
        public string Token(Guid user, string? aud, string? clientId, string? tokenUse, RSA? signWith = null)
        {
            var claims = new Dictionary<string, object> { ["sub"] = user.ToString() };
            if (clientId is not null)
                claims["client_id"] = clientId;
            if (tokenUse is not null)
                claims["token_use"] = tokenUse;
            var now = DateTime.UtcNow;
            return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = aud,
                Claims = claims,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(30),
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(signWith ?? _key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
            });
        }

        Task Serve(HttpContext context)
        {
            var body = context.Request.Path.Value switch
            {
                "/.well-known/openid-configuration" => new JsonObject
                {
                    ["issuer"] = Issuer,
                    ["jwks_uri"] = new Uri(_issuer.Url, "/jwks").ToString(),
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                },
                "/jwks" => Jwks(),
                _ => null,
            };
            if (body is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
        }

        JsonObject Jwks()
        {
            var parameters = _key.ExportParameters(includePrivateParameters: false);
            return new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                }),
            };
        }
    }
}
