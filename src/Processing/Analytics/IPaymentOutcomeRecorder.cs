namespace Payments.Processing.Analytics;

/// <summary>
/// Where analytics keeps each payment's and refund's outcome. Storage implements it in the scope's transaction: the one that
/// finishes the payment or refund.
/// </summary>
public interface IPaymentOutcomeRecorder
{
    /// <summary>
    /// Records the payment's terminal <paramref name="status"/> (<c>SUCCESS</c> or <c>FAILED</c>) once: a payment recorded
    /// before is left as it is, so nothing is counted twice. Returns whether it was new.
    /// </summary>
    Task<bool> Record(Guid paymentId, Guid userId, string status, long amount, string currency, DateTimeOffset completedAt,
        CancellationToken cancellationToken);

    /// <summary>As <see cref="Record"/>, for a refund's terminal <paramref name="status"/> (<c>SUCCEEDED</c> or <c>FAILED</c>).</summary>
    Task<bool> RecordRefund(Guid refundId, Guid paymentId, Guid userId, string status, long amount, string currency, DateTimeOffset completedAt,
        CancellationToken cancellationToken);
}
