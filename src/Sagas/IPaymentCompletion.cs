namespace Payments.Sagas;

/// <summary>
/// What finishing a payment changes outside the saga row. Storage implements it inside the saga's own transaction, so
/// the effects commit together with the terminal state or not at all.
/// </summary>
public interface IPaymentCompletion
{
    /// <summary>
    /// Shows <paramref name="publicStatus"/> on the payment as clients read it (a terminal status is never overwritten)
    /// and drops the payment's timers still waiting to fire: a finished saga ignores them.
    /// </summary>
    Task Complete(PaymentState saga, string publicStatus, CancellationToken cancellationToken);
}
