using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Payments.Api.Auth;
using Payments.TestSupport;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests;

/// <summary>Bearer tokens: anything but a valid token for this API is 401 and writes nothing; users see only their own payments.</summary>
[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]
public class AuthTests(SharedApi shared) : IClassFixture<SharedApi>
{
    static readonly Guid User = Guid.NewGuid();
    const string OtherKey = "another-signing-key-that-is-also-32-bytes-or-more!!";
    readonly ApiFactory _api = shared.Api;

    static AuthOptions Options(string key = ApiFactory.SigningKey) => new() { SigningKey = key };

    /// <summary>Authorization header value per case; null sends none.</summary>
    static readonly Dictionary<string, Func<string?>> BadCredentials = new()
    {
        ["no token"] = () => null,
        ["garbage token"] = () => "Bearer not-a-jwt",
        ["three garbage segments"] = () => "Bearer aaaa.bbbb.cccc",
        ["empty bearer"] = () => "Bearer ",
        ["basic scheme"] = () => "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("user:password")),
        ["expired token"] = () => "Bearer " + DevToken.Create(Options(), User.ToString(), TimeSpan.FromMinutes(5), DateTime.UtcNow.AddHours(-2)),
        ["not yet valid token"] = () => "Bearer " + DevToken.Create(Options(), User.ToString(), TimeSpan.FromMinutes(30), DateTime.UtcNow.AddHours(1)),
        ["signed with another key"] = () => "Bearer " + DevToken.Create(Options(OtherKey), User.ToString(), TimeSpan.FromMinutes(30)),
        ["wrong audience"] = () => "Bearer " + DevToken.Create(
            new AuthOptions { SigningKey = ApiFactory.SigningKey, Audience = "someone-else" }, User.ToString(), TimeSpan.FromMinutes(30)),
        ["wrong issuer"] = () => "Bearer " + DevToken.Create(
            new AuthOptions { SigningKey = ApiFactory.SigningKey, Issuer = "https://evil.example" }, User.ToString(), TimeSpan.FromMinutes(30)),
        ["alg none unsigned"] = () => "Bearer " + Unsigned(Claims(User.ToString())),
        ["alg none with signature stripped from a valid token"] = () =>
            "Bearer " + string.Join('.', DevToken.Create(Options(), User.ToString(), TimeSpan.FromMinutes(30)).Split('.')[..2]) + ".",
        ["HS256 without exp"] = () => "Bearer " + SignedHs256(Claims(User.ToString(), withExpiry: false)),
        ["valid signature but sub not a uuid"] = () => "Bearer " + DevToken.Create(Options(), "alice", TimeSpan.FromMinutes(30)),
        ["valid signature but tampered payload"] = () => "Bearer " + Tampered(),
    };

    public static TheoryData<string> BadCredentialNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in BadCredentials.Keys)
            data.Add(name);
        return data;
    }

    [Fact]
    public async Task The_hand_built_HS256_token_is_accepted_when_it_has_an_expiry()
    {
        // Proves SignedHs256 itself is right, so "HS256 without exp" fails only for the missing exp.
        using var client = _api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/payments");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + SignedHs256(Claims(Guid.NewGuid().ToString())));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadCredentialNames))]
    public async Task Bad_credentials_get_401_unauthorized_and_write_nothing(string name)
    {
        var authorization = BadCredentials[name]();
        using var client = _api.CreateClient();

        using (var post = new HttpRequestMessage(HttpMethod.Post, "/payments")
               {
                   Content = new StringContent(PaymentRequests.Body(User).ToJsonString(), Encoding.UTF8, "application/json"),
               })
        {
            post.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
            if (authorization is not null)
                post.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await client.SendAsync(post);
            await ProblemAssertions.AssertUnauthorized(response);
        }

        foreach (var path in new[] { "/payments", $"/payments/{Guid.NewGuid()}" })
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, path);
            if (authorization is not null)
                get.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await client.SendAsync(get);
            await ProblemAssertions.AssertProblem(response, HttpStatusCode.Unauthorized, T.Unauthorized);
        }

        Assert.Equal(0, await _api.Sql.Count("payments"));
        Assert.Equal(0, await _api.Sql.Count("idempotency_keys"));
        Assert.Equal(0, await _api.Sql.Count("outbox_messages"));
    }

    [Fact, RunLast]
    public async Task A_user_cannot_read_another_users_payment_and_lists_only_their_own()
    {
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        using var aliceClient = _api.ClientFor(alice);
        using var bobClient = _api.ClientFor(bob);

        var aliceIds = new List<Guid>();
        foreach (var amount in new[] { 87_654L, 87_655L })
        {
            var body = PaymentRequests.Body(alice, amount, "EUR", "Alice's secret purchase");
            using var created = await PaymentRequests.Post(aliceClient, body, Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            aliceIds.Add((await PaymentRequests.Json(created)).GetProperty("id").GetGuid());
        }
        using (var created = await PaymentRequests.Post(bobClient, PaymentRequests.Body(bob, 1234), Guid.NewGuid().ToString()))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        foreach (var id in aliceIds)
        {
            using var response = await bobClient.GetAsync($"/payments/{id}");
            var text = await response.Content.ReadAsStringAsync();
            var problem = await ProblemAssertions.AssertProblem(response, HttpStatusCode.NotFound, T.NotFound);
            Assert.DoesNotContain("87654", text);
            Assert.DoesNotContain("87655", text);
            Assert.DoesNotContain("EUR", text);
            Assert.DoesNotContain("secret", text);
            Assert.DoesNotContain(alice.ToString(), text, StringComparison.OrdinalIgnoreCase);

            // The answer for someone else's payment is indistinguishable from one for a payment that does not exist.
            using var missing = await bobClient.GetAsync($"/payments/{Guid.NewGuid()}");
            var missingProblem = await ProblemAssertions.AssertProblem(missing, HttpStatusCode.NotFound, T.NotFound);
            Assert.Equal(missingProblem.GetProperty("title").GetString(), problem.GetProperty("title").GetString());

            using var own = await aliceClient.GetAsync($"/payments/{id}");
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        var bobList = await PaymentRequests.Json(await bobClient.GetAsync("/payments"));
        var bobItems = bobList.GetProperty("items").EnumerateArray().ToList();
        var bobPayment = Assert.Single(bobItems);
        Assert.Equal(bob, bobPayment.GetProperty("user_id").GetGuid());

        var aliceList = await PaymentRequests.Json(await aliceClient.GetAsync("/payments"));
        var aliceItems = aliceList.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(aliceIds.ToHashSet(), aliceItems.Select(p => p.GetProperty("id").GetGuid()).ToHashSet());
        Assert.All(aliceItems, p => Assert.Equal(alice, p.GetProperty("user_id").GetGuid()));

        // A third user with no payments sees an empty page.
        using var carolClient = _api.ClientFor(Guid.NewGuid());
        var carolList = await PaymentRequests.Json(await carolClient.GetAsync("/payments"));
        Assert.Empty(carolList.GetProperty("items").EnumerateArray());
    }

    static string Claims(string sub, bool withExpiry = true)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var exp = withExpiry ? $",\"exp\":{now + 1800}" : "";
        return $"{{\"iss\":\"payments-local\",\"aud\":\"payments-api\",\"sub\":\"{sub}\",\"iat\":{now},\"nbf\":{now}{exp}}}";
    }

    static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    /// <summary>header {"alg":"none","typ":"JWT"} . payload . (empty signature)</summary>
    static string Unsigned(string payload) => $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64(payload)}.";

    static string SignedHs256(string payload)
    {
        var unsigned = $"{B64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{B64(payload)}";
        var signature = HMACSHA256.HashData(Options().SigningKeyBytes(), Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>A validly signed token for one user whose payload is swapped for another user's, keeping the signature.</summary>
    static string Tampered()
    {
        var parts = DevToken.Create(Options(), User.ToString(), TimeSpan.FromMinutes(30)).Split('.');
        return $"{parts[0]}.{B64(Claims(Guid.NewGuid().ToString()))}.{parts[2]}";
    }
}
