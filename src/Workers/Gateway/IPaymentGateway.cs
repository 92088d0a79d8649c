namespace Payments.Workers.Gateway;

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
}

public record GatewayCharge(string IdempotencyKey, Guid PaymentId, long Amount, string Currency);

public record GatewayResult(bool Approved, string? ChargeId, string? DeclineReason)
{
    public static GatewayResult Approve(string chargeId) => new(true, chargeId, null);
    public static GatewayResult Decline(string reason) => new(false, null, reason);
}

public sealed class GatewayUnavailableException(string message) : Exception(message);
