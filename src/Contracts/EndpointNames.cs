namespace Payments.Contracts;

/// <summary>Queue names shared by every process, so a sender needs no knowledge of who consumes.</summary>
public static class EndpointNames
{
    public const string PaymentSaga = "payment-state";
    public const string ChargePayment = "charge-payment";
    public const string ReconcileCharge = "reconcile-charge";
}
