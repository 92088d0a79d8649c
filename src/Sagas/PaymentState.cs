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
}
