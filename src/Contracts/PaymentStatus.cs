namespace Payments.Contracts;

/// <summary>The only statuses a client ever sees.</summary>
public static class PaymentStatus
{
    /// <summary>Created, not yet charged or still being charged.</summary>
    public const string Pending = "PENDING";

    /// <summary>Charged: final.</summary>
    public const string Success = "SUCCESS";

    /// <summary>Not charged, and never will be: final.</summary>
    public const string Failed = "FAILED";
}
