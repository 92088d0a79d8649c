namespace Payments.Contracts;

/// <summary>The only statuses a client ever sees.</summary>
public static class PaymentStatus
{
    public const string Pending = "PENDING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
}
