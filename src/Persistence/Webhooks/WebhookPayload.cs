using System.Text;
using System.Text.Json;
using Payments.Persistence.Payments;

namespace Payments.Persistence.Webhooks;

/// <summary>
/// A webhook's body: <c>{"type", "created_at", "data"}</c> with the payment as the API shows it (snake_case) plus its
/// <c>charge_id</c>. At most <see cref="MaxBytes"/>: a body that would be larger goes without the payment's description
/// and metadata (the receiver can read them with <c>GET /payments/{id}</c>).
/// </summary>
public static class WebhookPayload
{
    public const int MaxBytes = 20 * 1024;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="occurredAt">When the event happened: the payment's completion for an outcome.</param>
    public static string For(string eventType, DateTimeOffset occurredAt, Payment payment)
    {
        var body = JsonSerializer.Serialize(new Body(eventType, occurredAt, Data.From(payment)), Json);
        if (Encoding.UTF8.GetByteCount(body) <= MaxBytes)
            return body;
        return JsonSerializer.Serialize(new Body(eventType, occurredAt, Data.From(payment) with { Description = null, Metadata = null }), Json);
    }

    sealed record Body(string Type, DateTimeOffset CreatedAt, Data Data);

    sealed record Data(Guid Id, long Amount, string Currency, string Status, string? Description, IReadOnlyDictionary<string, string>? Metadata,
        string? FailureReason, string? ChargeId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt)
    {
        public static Data From(Payment p) =>
            new(p.Id, p.Amount, p.Currency, p.Status, p.Description, p.Metadata, p.FailureReason, p.ChargeId, p.CreatedAt, p.UpdatedAt, p.CompletedAt);
    }
}
