using Payments.Api.Refunds;
using Payments.Contracts;

namespace Payments.Api.OpenApi;

/// <summary>The document's examples of refunds, of the payment <see cref="PaymentExamples.Succeeded"/>, as the API serializes them.</summary>
public static class RefundExamples
{
    static readonly DateTimeOffset Created = new(2026, 3, 3, 10, 2, 41, TimeSpan.Zero);

    public static readonly object Request = new { amount = 500, reason = "Damaged in transit" };

    public static readonly RefundResponse Pending = new(Guid.Parse("0197aa10-3c5d-7e6f-8a9b-0c1d2e3f4a5b"), PaymentExamples.Succeeded.Id, 500,
        "USD", RefundStatus.Pending, "Damaged in transit", null, Created, Created, null);

    public static readonly RefundResponse Succeeded = Pending with
    {
        Status = RefundStatus.Succeeded,
        UpdatedAt = Created.AddMilliseconds(388),
        CompletedAt = Created.AddMilliseconds(388),
    };

    static readonly RefundResponse Failed = new(Guid.Parse("0197aa14-9e01-7b2c-8d3e-4f5a6b7c8d9e"), PaymentExamples.Succeeded.Id, 1499,
        "USD", RefundStatus.Failed, null, "declined: charge disputed", Created.AddMinutes(5), Created.AddMinutes(5).AddMilliseconds(402),
        Created.AddMinutes(5).AddMilliseconds(402));

    public static readonly RefundList List = new([Succeeded, Failed]);
}
