namespace Payments.Contracts;

/// <summary>The only statuses a refund ever has.</summary>
public static class RefundStatus
{
    /// <summary>Created, its amount reserved, not yet given back by the gateway.</summary>
    public const string Pending = "PENDING";

    /// <summary>Given back: final.</summary>
    public const string Succeeded = "SUCCEEDED";

    /// <summary>Not given back, and never will be; its amount is refundable again: final.</summary>
    public const string Failed = "FAILED";
}
