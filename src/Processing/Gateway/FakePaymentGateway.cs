using Microsoft.Extensions.Options;

namespace Payments.Processing.Gateway;

/// <summary>
/// A card network with failure modes we control. Like a real gateway it keys every charge by the caller's
/// idempotency key and answers a repeat with the original result, so retries can never charge twice.
/// </summary>
public sealed class FakePaymentGateway(IOptionsMonitor<FakeGatewayOptions> options, IChargeLedger ledger) : IPaymentGateway
{
    public async Task<GatewayResult> Charge(GatewayCharge charge, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (settings.Latency > TimeSpan.Zero)
            await Task.Delay(settings.Latency, cancellationToken);

        if (Random.Shared.NextDouble() < settings.TransientFailureRate)
            throw new GatewayUnavailableException("gateway returned 503 Service Unavailable", outcomeUnknown: false);

        var entry = await ledger.Record(charge, () => Decide(charge, settings), cancellationToken);
        if (entry.Charge.Amount != charge.Amount || entry.Charge.Currency != charge.Currency)
            return GatewayResult.Decline("idempotency key reused with different parameters");

        if (Random.Shared.NextDouble() < settings.TimeoutRate)
            throw new GatewayUnavailableException("gateway read timed out after the request was sent", outcomeUnknown: true);

        return entry.Result;
    }

    public async Task<GatewayResult?> Find(string idempotencyKey, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (settings.Latency > TimeSpan.Zero)
            await Task.Delay(settings.Latency, cancellationToken);
        if (Random.Shared.NextDouble() < settings.TransientFailureRate)
            throw new GatewayUnavailableException("gateway returned 503 Service Unavailable", outcomeUnknown: false);
        return (await ledger.Find(idempotencyKey, cancellationToken))?.Result;
    }

    static GatewayResult Decide(GatewayCharge charge, FakeGatewayOptions settings)
    {
        if (settings.DeclineAbove is { } limit && charge.Amount > limit)
            return GatewayResult.Decline("over card limit");
        if (settings.DeclineWhenAmountEndsWith is { } ending && charge.Amount % 100 == ending)
            return GatewayResult.Decline("insufficient funds");
        return GatewayResult.Approve($"ch_{Guid.NewGuid():N}");
    }
}
