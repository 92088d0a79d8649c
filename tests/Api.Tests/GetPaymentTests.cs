using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.TestSupport;
using T = Payments.Api.Problems.ApiProblems.Types;

namespace Payments.Api.Tests;

/// <summary><c>GET /payments/{id}</c>.</summary>
public class GetPaymentTests(SharedApi shared) : IClassFixture<SharedApi>
{
    readonly ApiFactory _api = shared.Api;

    [Fact]
    public async Task Returns_the_callers_payment_as_created()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var id = await Create(client, PaymentRequests.Body(user, 4321, "GBP", "Tea"));

        using var response = await client.GetAsync($"/payments/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payment = await PaymentRequests.Json(response);
        Assert.Equal(id, payment.GetProperty("id").GetGuid());
        Assert.Equal(user, payment.GetProperty("user_id").GetGuid());
        Assert.Equal(4321, payment.GetProperty("amount").GetInt64());
        Assert.Equal("GBP", payment.GetProperty("currency").GetString());
        Assert.Equal("Tea", payment.GetProperty("description").GetString());
        Assert.Contains(payment.GetProperty("status").GetString(), new[] { "PENDING", "SUCCESS" });

        // The id is accepted in upper case too.
        using var upper = await client.GetAsync($"/payments/{id.ToString().ToUpperInvariant()}");
        Assert.Equal(HttpStatusCode.OK, upper.StatusCode);
    }

    /// <summary>metadata is a documented, validated field: a payment carrying it must be stored and returned.</summary>
    [Fact]
    public async Task A_payment_with_metadata_is_created_and_returned_with_it()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var body = PaymentRequests.Body(user, 4322, "GBP", "Tea");
        body["metadata"] = new JsonObject { ["order"] = "A-1", ["channel"] = "web" };
        var id = await Create(client, body);

        var payment = await PaymentRequests.Json(await client.GetAsync($"/payments/{id}"));
        Assert.Equal("A-1", payment.GetProperty("metadata").GetProperty("order").GetString());
        Assert.Equal("web", payment.GetProperty("metadata").GetProperty("channel").GetString());
    }

    static async Task<Guid> Create(HttpClient client, JsonObject body)
    {
        using var response = await PaymentRequests.Post(client, body, Guid.NewGuid().ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /payments: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("12345")]
    [InlineData("3f0c6b1e-8a34-4c53-9d55-2a1f7c6b9e1")]
    [InlineData("3f0c6b1e-8a34-4c53-9d55-2a1f7c6b9e10x")]
    [InlineData("%20")]
    public async Task A_non_uuid_id_is_400_naming_id(string id)
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        using var response = await client.GetAsync($"/payments/{id}");
        await ProblemAssertions.AssertValidationProblem(response, "id");
    }

    [Fact]
    public async Task An_unknown_id_is_404_not_found()
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        foreach (var id in new[] { Guid.NewGuid(), Guid.Empty })
        {
            using var response = await client.GetAsync($"/payments/{id}");
            var problem = await ProblemAssertions.AssertProblem(response, HttpStatusCode.NotFound, T.NotFound);
            Assert.False(problem.TryGetProperty("errors", out _));
        }
    }
}
