namespace Payments.Sagas;

/// <summary>Fires when the gateway has not answered a refund attempt (or a refund lookup) in time.</summary>
public record RefundTimeoutExpired(Guid RefundId);

/// <summary>Fires when the back-off after a transient gateway failure of a refund is over.</summary>
public record RefundRetryDue(Guid RefundId);
