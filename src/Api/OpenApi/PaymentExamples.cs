using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Api.Payments;
using Payments.Contracts;
using Payments.Persistence.Payments;
using Payments.Sagas;

namespace Payments.Api.OpenApi;

/// <summary>The document's examples of requests and payments, as the API's own types serialize them.</summary>
public static class PaymentExamples
{
    static readonly Guid User = Guid.Parse("3f0c6b1e-8a34-4c53-9d55-2a1f7c6b9e10");
    static readonly DateTimeOffset Created = new(2026, 3, 2, 9, 15, 4, TimeSpan.Zero);

    public static readonly CreatePaymentRequest Request =
        new(User, 1999, "USD", "Coffee beans", new Dictionary<string, string> { ["order_id"] = "A-1042" });

    public static readonly PaymentResponse Pending = new(Guid.Parse("0197a5f2-5c1d-7b3e-9a44-1c2d3e4f5a6b"), User, 1999, "USD",
        PaymentStatus.Pending, "Coffee beans", new Dictionary<string, string> { ["order_id"] = "A-1042" }, null, Created, Created, null, 0);

    public static readonly PaymentResponse Succeeded = Pending with
    {
        Status = PaymentStatus.Success,
        UpdatedAt = Created.AddMilliseconds(412),
        CompletedAt = Created.AddMilliseconds(412),
    };

    static readonly PaymentResponse Declined = new(Guid.Parse("0197a5f1-0b7e-7c21-8f3a-5e6d7c8b9a01"), User, 2551, "EUR",
        PaymentStatus.Failed, null, null, "declined: insufficient funds", Created.AddMinutes(-3), Created.AddMinutes(-3).AddMilliseconds(380),
        Created.AddMinutes(-3).AddMilliseconds(380), 0);

    public static readonly PaymentPage Page = new([Succeeded, Declined],
        ListPayments.Cursor.Encode(new PaymentKey(Declined.CreatedAt, Declined.Id)));

    /// <summary>The history of <see cref="Succeeded"/>, the payment the operations' id examples name.</summary>
    public static readonly PaymentEventPage History = new(
    [
        new(41, PaymentEventTypes.Created, Succeeded.CreatedAt, null, null, null),
        new(42, PaymentEventTypes.ChargeRequested, Succeeded.CreatedAt.AddMilliseconds(37), 1, null, null),
        new(43, PaymentEventTypes.ChargeApproved, Succeeded.CreatedAt.AddMilliseconds(398), 1, null, null),
        new(44, PaymentEventTypes.Succeeded, Succeeded.CompletedAt!.Value, null, null, null),
    ], null);

    public static JsonNode Json<T>(T value, JsonSerializerOptions options) => JsonSerializer.SerializeToNode(value, options)!;
}
