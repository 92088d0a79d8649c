using System.Text;
using System.Text.Json;
using Payments.Persistence.Payments;
using Payments.Persistence.Webhooks;

namespace Payments.Api.Tests.Webhooks;

/// <summary>A webhook's body stays within 20 KB: the largest payment the API accepts still fits, its text escaped.</summary>
public class WebhookPayloadTests
{
    static Payment Payment(Dictionary<string, string>? metadata, string? description) => new()
    {
        Id = Guid.NewGuid(), UserId = Guid.NewGuid(), Amount = 1999, Currency = "USD", Status = "SUCCESS", ChargeId = "ch_1",
        Description = description, Metadata = metadata,
        CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void An_ordinary_payment_is_sent_whole()
    {
        var body = WebhookPayload.For("payment.succeeded", DateTimeOffset.UtcNow, Payment(new() { ["order"] = "A-17" }, "Coffee beans"));

        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        Assert.Equal("A-17", data.GetProperty("metadata").GetProperty("order").GetString());
        Assert.Equal("Coffee beans", data.GetProperty("description").GetString());
        Assert.Equal("ch_1", data.GetProperty("charge_id").GetString());
    }

    [Fact]
    public void A_payment_whose_body_would_pass_20_KB_goes_without_its_description_and_metadata()
    {
        // 20 entries of 500 characters the encoder escapes (\uXXXX): about 60 KB as JSON.
        var metadata = Enumerable.Range(0, 20).ToDictionary(i => $"key{i}", _ => new string('é', 500));
        var body = WebhookPayload.For("payment.succeeded", DateTimeOffset.UtcNow, Payment(metadata, new string('€', 255)));

        Assert.True(Encoding.UTF8.GetByteCount(body) <= WebhookPayload.MaxBytes);
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(JsonValueKind.Null, data.GetProperty("metadata").ValueKind);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("description").ValueKind);
        Assert.Equal(1999, data.GetProperty("amount").GetInt64());
    }
}
