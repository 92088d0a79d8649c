namespace Payments.Persistence.Refunds;

/// <summary>Why a refund was not created (nothing was written): each becomes its own problem in the API.</summary>
public abstract record RefundRefusal
{
    /// <summary>The user has no such payment (someone else's included).</summary>
    public sealed record NoSuchPayment : RefundRefusal;

    /// <summary>The payment is not <c>SUCCESS</c>: there is nothing to give back (yet, or ever).</summary>
    public sealed record NotRefundable(string PaymentStatus) : RefundRefusal;

    /// <summary>The request named a currency other than the payment's.</summary>
    public sealed record OtherCurrency(string PaymentCurrency) : RefundRefusal;

    /// <summary>More than the payment can still refund, pending refunds counted (<paramref name="Remaining"/> may be 0).</summary>
    public sealed record ExceedsRemaining(long Remaining, string Currency) : RefundRefusal;
}
