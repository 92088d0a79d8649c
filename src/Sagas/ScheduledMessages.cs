namespace Payments.Sagas;

/// <summary>Fires when the gateway has not answered a charge attempt in time.</summary>
public record ChargeTimeoutExpired(Guid PaymentId);

/// <summary>Fires when the back-off after a transient gateway failure is over.</summary>
public record ChargeRetryDue(Guid PaymentId);
