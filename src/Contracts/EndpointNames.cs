namespace Payments.Contracts;

/// <summary>Queue names shared by every process, so a sender needs no knowledge of who consumes.</summary>
public static class EndpointNames
{
    /// <summary>The payment saga's queue: payment events and the saga's own timers.</summary>
    public const string PaymentSaga = "payment-state";

    /// <summary>The gateway worker's queue for <see cref="Contracts.ChargePayment"/>.</summary>
    public const string ChargePayment = "charge-payment";

    /// <summary>The gateway worker's queue for <see cref="Contracts.ReconcileCharge"/>.</summary>
    public const string ReconcileCharge = "reconcile-charge";

    /// <summary>The refund saga's queue: refund events and the saga's own timers.</summary>
    public const string RefundSaga = "refund-state";

    /// <summary>The gateway worker's queue for <see cref="Contracts.RefundCharge"/>.</summary>
    public const string RefundCharge = "refund-charge";

    /// <summary>The gateway worker's queue for <see cref="Contracts.ReconcileRefund"/>.</summary>
    public const string ReconcileRefund = "reconcile-refund";
}
