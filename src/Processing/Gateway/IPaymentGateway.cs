namespace Payments.Processing.Gateway;

/// <summary>
/// The card network, as the charge consumer needs it. Production plugs in the acquirer's client here;
/// this repository ships the fake one, since the real network cannot run on a developer's machine.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>
    /// Charges at most once per <see cref="GatewayCharge.IdempotencyKey"/>: a repeat returns the first answer.
    /// Throws <see cref="GatewayUnavailableException"/> when the outcome is unknown or the call failed transiently.
    /// </summary>
    Task<GatewayResult> Charge(GatewayCharge charge, CancellationToken cancellationToken);

    /// <summary>What the gateway did with an idempotency key, or null when it never saw it.</summary>
    Task<GatewayResult?> Find(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Gives back part of an approved charge, at most once per <see cref="GatewayRefund.IdempotencyKey"/> (a repeat returns the
    /// first answer) and never more than remains of the charge (declined). Throws <see cref="GatewayUnavailableException"/>
    /// like <see cref="Charge"/>. An approval's <see cref="GatewayResult.ChargeId"/> is the gateway's refund id.
    /// </summary>
    Task<GatewayResult> Refund(GatewayRefund refund, CancellationToken cancellationToken);

    /// <summary>What the gateway did with a refund's idempotency key, or null when it never saw it.</summary>
    Task<GatewayResult?> FindRefund(string idempotencyKey, CancellationToken cancellationToken);
}

public record GatewayCharge(string IdempotencyKey, Guid PaymentId, long Amount, string Currency);

/// <param name="ChargeKey">The idempotency key of the charge to refund from.</param>
public record GatewayRefund(string IdempotencyKey, Guid RefundId, string ChargeKey, long Amount, string Currency);

public record GatewayResult(bool Approved, string? ChargeId, string? DeclineReason)
{
    public static GatewayResult Approve(string chargeId) => new(true, chargeId, null);
    public static GatewayResult Decline(string reason) => new(false, null, reason);
}

/// <summary>
/// The call failed. <see cref="OutcomeUnknown"/> is false when the gateway certainly did not act (connection
/// refused, 503) and true when it may have (the request was sent but no answer came back).
/// </summary>
public sealed class GatewayUnavailableException(string message, bool outcomeUnknown) : Exception(message)
{
    public bool OutcomeUnknown { get; } = outcomeUnknown;
}
