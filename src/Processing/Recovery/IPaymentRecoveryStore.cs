using MassTransit;

namespace Payments.Processing.Recovery;

/// <summary>A PENDING payment, as it was requested.</summary>
public sealed record StalledPayment(Guid Id, Guid UserId, long Amount, string Currency, string? Description, DateTimeOffset CreatedAt);

/// <summary>A PENDING refund, as it was requested.</summary>
public sealed record StalledRefund(Guid Id, Guid PaymentId, Guid UserId, long Amount, string Currency, string? Reason, DateTimeOffset CreatedAt);

/// <summary>
/// What stalled-payment recovery reads and locks. Each call is one transaction: the rows found are locked
/// (<c>SKIP LOCKED</c>, so several processes share the work), handed to the callback, whose messages go to the outbox
/// in that same transaction, and committed with them.
/// </summary>
public interface IPaymentRecoveryStore
{
    /// <summary>PENDING payments created before <paramref name="before"/> that never reached the saga, oldest first.</summary>
    Task<int> WithPaymentsNeverSeenBySaga(DateTimeOffset before, int limit, Func<IReadOnlyList<StalledPayment>, Task> republish,
        CancellationToken cancellationToken);

    /// <summary>PENDING refunds created before <paramref name="before"/> that never reached the refund saga, oldest first.</summary>
    Task<int> WithRefundsNeverSeenBySaga(DateTimeOffset before, int limit, Func<IReadOnlyList<StalledRefund>, Task> republish,
        CancellationToken cancellationToken);

    /// <summary>
    /// Sagas of type <typeparamref name="TSaga"/> in one of <paramref name="states"/>, not updated since
    /// <paramref name="before"/>, with no message of theirs left in the outbox. Changes the callback makes to them are saved.
    /// </summary>
    Task<int> WithSagasMissingTheirTimer<TSaga>(IReadOnlyCollection<string> states, DateTimeOffset before, int limit,
        Func<IReadOnlyList<TSaga>, Task> resend, CancellationToken cancellationToken) where TSaga : class, SagaStateMachineInstance;
}
