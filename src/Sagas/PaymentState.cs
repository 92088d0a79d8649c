using MassTransit;

namespace Payments.Sagas;

/// <summary>Persisted state of one payment's saga; <see cref="CorrelationId"/> is the payment id.</summary>
public class PaymentState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public Guid UserId { get; set; }
    public long Amount { get; set; }
    public string Currency { get; set; } = null!;

    /// <summary>Charge attempts sent to the gateway so far; replies for older attempts are ignored.</summary>
    public int Attempts { get; set; }

    /// <summary>Some attempt may have reached the gateway without an answer: the saga must ask before it may fail.</summary>
    public bool ChargeOutcomeUnknown { get; set; }

    public string? ChargeId { get; set; }
    public string? FailureReason { get; set; }
    public Guid? ChargeTimeoutTokenId { get; set; }
    public Guid? ChargeRetryTokenId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// The history entries of the transition under way, in order. Not a column: the saga's repository writes them in the
    /// transaction that saves this state and empties the list, so an entry commits with its transition or not at all.
    /// </summary>
    public List<PaymentHistoryEntry> NewHistory { get; } = [];

    /// <summary>Adds a step, dated now, to <see cref="NewHistory"/>; <paramref name="dueIn"/> for what falls due later (a retry).</summary>
    public void Record(string type, int? attempt = null, string? detail = null, TimeSpan? dueIn = null)
    {
        var now = DateTimeOffset.UtcNow;
        NewHistory.Add(new PaymentHistoryEntry(type, now, attempt, detail, now + dueIn));
    }
}
