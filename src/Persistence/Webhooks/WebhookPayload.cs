using System.Text;
using System.Text.Json;
using Payments.Persistence.Payments;
using Payments.Persistence.Refunds;

namespace Payments.Persistence.Webhooks;

/// <summary>
/// A webhook's body: <c>{"type", "created_at", "data"}</c> with the payment or the refund as the API shows it (snake_case),
/// a payment with its <c>charge_id</c>, a refund with its <c>gateway_refund_id</c>. At most <see cref="MaxBytes"/>: a
/// payment body that would be larger goes without the payment's description and metadata (the receiver can read them with
/// <c>GET /payments/{id}</c>); a refund's is always small.
/// </summary>
public static class WebhookPayload
{
    public const int MaxBytes = 20 * 1024;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="occurredAt">When the event happened: the payment's completion for an outcome.</param>
    public static string For(string eventType, DateTimeOffset occurredAt, Payment payment)
    {
        var body = JsonSerializer.Serialize(new Body<PaymentData>(eventType, occurredAt, PaymentData.From(payment)), Json);
        if (Encoding.UTF8.GetByteCount(body) <= MaxBytes)
            return body;
        return JsonSerializer.Serialize(
            new Body<PaymentData>(eventType, occurredAt, PaymentData.From(payment) with { Description = null, Metadata = null }), Json);
    }

    /// <param name="occurredAt">When the event happened: the refund's completion for an outcome.</param>
    public static string For(string eventType, DateTimeOffset occurredAt, Refund refund) =>
        JsonSerializer.Serialize(new Body<RefundData>(eventType, occurredAt, RefundData.From(refund)), Json);

    sealed record Body<TData>(string Type, DateTimeOffset CreatedAt, TData Data);

    sealed record PaymentData(Guid Id, long Amount, string Currency, string Status, string? Description, IReadOnlyDictionary<string, string>? Metadata,
        string? FailureReason, string? ChargeId, long AmountRefunded, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt)
    {
        public static PaymentData From(Payment p) =>
            new(p.Id, p.Amount, p.Currency, p.Status, p.Description, p.Metadata, p.FailureReason, p.ChargeId, p.AmountRefunded, p.CreatedAt,
                p.UpdatedAt, p.CompletedAt);
    }

    sealed record RefundData(Guid Id, Guid PaymentId, long Amount, string Currency, string Status, string? Reason, string? FailureReason,
        string? GatewayRefundId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt)
    {
        public static RefundData From(Refund r) =>
            new(r.Id, r.PaymentId, r.Amount, r.Currency, r.Status, r.Reason, r.FailureReason, r.GatewayRefundId, r.CreatedAt, r.UpdatedAt,
                r.CompletedAt);
    }
}
