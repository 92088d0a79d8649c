using System.Net;
using System.Text.Json.Nodes;
using Payments.TestSupport;
using static Payments.TestSupport.WebhookEndpointRequests;

namespace Payments.Api.Tests.OpenApi;

/// <summary>Real responses of the webhook endpoint operations against the committed document (as <see cref="RealResponsesMatchTheDocumentTests"/>).</summary>
public class WebhookResponsesMatchTheDocumentTests(SharedApi shared) : IClassFixture<SharedApi>
{
    readonly ApiFactory _api = shared.Api;
    readonly OpenApiContract _contract = OpenApiContract.Committed();

    [Fact]
    public async Task Every_operation_answering_well()
    {
        using var client = _api.ClientFor(Guid.NewGuid());
        var key = Guid.NewGuid().ToString();

        using var created = await Post(client, Body(), key);
        using var replayed = await Post(client, Body(), key);
        var id = (await PaymentRequests.Json(created)).GetProperty("id").GetString();
        await Post(client, Body(description: null), Guid.NewGuid().ToString());
        using var one = await client.GetAsync($"/webhook-endpoints/{id}");
        using var page = await client.GetAsync("/webhook-endpoints?limit=1");
        using var changed = await Patch(client, id!, new JsonObject { ["enabled"] = false });
        using var rotated = await client.PostAsync($"/webhook-endpoints/{id}/rotate-secret", null);
        using var deleted = await client.DeleteAsync($"/webhook-endpoints/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await _contract.AssertConforms(created, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(replayed, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(one, "GET", "/webhook-endpoints/{id}");
        await _contract.AssertConforms(page, "GET", "/webhook-endpoints");
        await _contract.AssertConforms(changed, "PATCH", "/webhook-endpoints/{id}");
        await _contract.AssertConforms(rotated, "POST", "/webhook-endpoints/{id}/rotate-secret");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Every_operation_refusing()
    {
        using var client = _api.ClientFor(Guid.NewGuid());

        using var unprocessable = await Post(client, Body(eventTypes: ["payment.created"]), Guid.NewGuid().ToString());
        using var invalid = await Send(client, HttpMethod.Post, "/webhook-endpoints", "{\"url\":1}", Guid.NewGuid().ToString());
        using var malformed = await Send(client, HttpMethod.Post, "/webhook-endpoints", "{", Guid.NewGuid().ToString());
        using var noKey = await Post(client, Body(), null);
        using var unsupported = await Send(client, HttpMethod.Post, "/webhook-endpoints", "{}", "k", "text/plain");
        using var notFound = await client.GetAsync($"/webhook-endpoints/{Guid.NewGuid()}");
        using var badId = await client.DeleteAsync("/webhook-endpoints/nope");
        using var patchRefused = await Patch(client, Guid.NewGuid().ToString(), new JsonObject { ["url"] = "gopher://x" });
        using var rotateMissing = await client.PostAsync($"/webhook-endpoints/{Guid.NewGuid()}/rotate-secret", null);
        using var anonymous = await _api.CreateClient().GetAsync("/webhook-endpoints");

        Assert.Equal((HttpStatusCode)422, unprocessable.StatusCode);
        await _contract.AssertConforms(unprocessable, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(invalid, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(malformed, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(noKey, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(unsupported, "POST", "/webhook-endpoints");
        await _contract.AssertConforms(notFound, "GET", "/webhook-endpoints/{id}");
        await _contract.AssertConforms(badId, "DELETE", "/webhook-endpoints/{id}");
        await _contract.AssertConforms(patchRefused, "PATCH", "/webhook-endpoints/{id}");
        await _contract.AssertConforms(rotateMissing, "POST", "/webhook-endpoints/{id}/rotate-secret");
        await _contract.AssertConforms(anonymous, "GET", "/webhook-endpoints");
    }
}
