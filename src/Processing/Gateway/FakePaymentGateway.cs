using Microsoft.Extensions.Options;

namespace Payments.Processing.Gateway;

/// <summary>
/// A card network with failure modes we control. Like a real gateway it keys every charge and refund by the caller's
/// idempotency key and answers a repeat with the original result, so retries can never charge or refund twice.
/// </summary>
public sealed class FakePaymentGateway(IOptionsMonitor<FakeGatewayOptions> options, IChargeLedger ledger) : IPaymentGateway
{
    public async Task<GatewayResult> Charge(GatewayCharge charge, CancellationToken cancellationToken)
    {
        var settings = await Arrive(cancellationToken);

        var entry = await ledger.Record(charge, () => Decide(charge, settings), cancellationToken);
        if (entry.Charge.Amount != charge.Amount || entry.Charge.Currency != charge.Currency)
            return GatewayResult.Decline("idempotency key reused with different parameters");

        LoseTheAnswer(settings);

        return entry.Result;
    }

    public async Task<GatewayResult?> Find(string idempotencyKey, CancellationToken cancellationToken)
    {
        await Arrive(cancellationToken);
        return (await ledger.Find(idempotencyKey, cancellationToken))?.Result;
    }

    public async Task<GatewayResult> Refund(GatewayRefund refund, CancellationToken cancellationToken)
    {
        var settings = await Arrive(cancellationToken);

        var entry = await ledger.RecordRefund(refund, (charge, refunded) => DecideRefund(refund, charge, refunded, settings), cancellationToken);
        if (entry.Refund.Amount != refund.Amount || entry.Refund.Currency != refund.Currency || entry.Refund.ChargeKey != refund.ChargeKey)
            return GatewayResult.Decline("idempotency key reused with different parameters");

        LoseTheAnswer(settings);

        return entry.Result;
    }

    public async Task<GatewayResult?> FindRefund(string idempotencyKey, CancellationToken cancellationToken)
    {
        await Arrive(cancellationToken);
        return (await ledger.FindRefund(idempotencyKey, cancellationToken))?.Result;
    }

    /// <summary>Every call's way in: the network's latency, then a transient failure before the gateway did anything.</summary>
    async Task<FakeGatewayOptions> Arrive(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (settings.Latency > TimeSpan.Zero)
            await Task.Delay(settings.Latency, cancellationToken);
        if (Random.Shared.NextDouble() < settings.TransientFailureRate)
            throw new GatewayUnavailableException("gateway returned 503 Service Unavailable", outcomeUnknown: false);
        return settings;
    }

    /// <summary>A charge or refund's way out: the gateway acted, and its answer may be lost on the way back.</summary>
    static void LoseTheAnswer(FakeGatewayOptions settings)
    {
        if (Random.Shared.NextDouble() < settings.TimeoutRate)
            throw new GatewayUnavailableException("gateway read timed out after the request was sent", outcomeUnknown: true);
    }

    static GatewayResult DecideRefund(GatewayRefund refund, LedgerEntry? charge, long refunded, FakeGatewayOptions settings)
    {
        if (charge is not { Result.Approved: true })
            return GatewayResult.Decline("no approved charge to refund");
        if (charge.Charge.Currency != refund.Currency)
            return GatewayResult.Decline("currency differs from the charge's");
        if (refunded + refund.Amount > charge.Charge.Amount)
            return GatewayResult.Decline($"exceeds what remains of the charge ({charge.Charge.Amount - refunded})");
        // The same test-card rule as charges, so runs can see refunds declined too.
        if (settings.DeclineWhenAmountEndsWith is { } ending && refund.Amount % 100 == ending)
            return GatewayResult.Decline("refund refused by the card network");
        return GatewayResult.Approve($"re_{Guid.NewGuid():N}");
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
