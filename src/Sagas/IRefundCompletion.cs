namespace Payments.Sagas;

/// <summary>
/// What finishing a refund changes outside the saga row. Storage implements it inside the saga's own transaction, so the
/// effects commit together with the terminal state or not at all.
/// </summary>
public interface IRefundCompletion
{
    /// <summary>
    /// Shows <paramref name="status"/> on the refund (a terminal status is never overwritten), moves its amount on the payment
    /// (into what was refunded, or out of the reservation), both only when this call is the one that finished it, and drops
    /// the refund's timers still waiting to fire.
    /// </summary>
    Task Complete(RefundState saga, string status, CancellationToken cancellationToken);
}
