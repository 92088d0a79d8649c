using MassTransit;

namespace Payments.Sagas;

/// <summary>Persisted state of one refund's saga; <see cref="CorrelationId"/> is the refund id.</summary>
public class RefundState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public Guid PaymentId { get; set; }
    public Guid UserId { get; set; }
    public long Amount { get; set; }
    public string Currency { get; set; } = null!;

    /// <summary>Refund attempts sent to the gateway so far; replies for older attempts are ignored.</summary>
    public int Attempts { get; set; }

    /// <summary>Some attempt may have reached the gateway without an answer: the saga must ask before it may fail.</summary>
    public bool OutcomeUnknown { get; set; }

    public string? GatewayRefundId { get; set; }
    public string? FailureReason { get; set; }
    public Guid? RefundTimeoutTokenId { get; set; }
    public Guid? RefundRetryTokenId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
