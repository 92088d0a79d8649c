using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Processing.Gateway;

namespace Payments.Processing.Charging;

/// <summary>Calls the gateway for one charge attempt and reports the answer to the saga.</summary>
public sealed partial class ChargePaymentConsumer(IPaymentGateway gateway, IOptionsMonitor<FakeGatewayOptions> options,
    ILogger<ChargePaymentConsumer> logger) : IConsumer<ChargePayment>
{
    public async Task Consume(ConsumeContext<ChargePayment> context)
    {
        var m = context.Message;
        using var _ = AttemptScope(logger, m.Attempt);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(options.CurrentValue.CallTimeout);
        try
        {
            var result = await gateway.Charge(new GatewayCharge(m.IdempotencyKey, m.PaymentId, m.Amount, m.Currency), timeout.Token);
            if (result.Approved)
                await context.Publish(new PaymentCharged(m.PaymentId, result.ChargeId!, m.Attempt, DateTimeOffset.UtcNow));
            else
                await context.Publish(new PaymentDeclined(m.PaymentId, result.DeclineReason!, m.Attempt));
        }
        catch (GatewayUnavailableException e)
        {
            LogFailedTransiently(logger, m.Attempt, e.Message);
            await context.Publish(new PaymentChargeFailed(m.PaymentId, e.Message, m.Attempt, e.OutcomeUnknown));
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            LogTimedOut(logger, m.Attempt);
            // We stopped waiting; the gateway may still have acted on the request.
            await context.Publish(new PaymentChargeFailed(m.PaymentId, "gateway call timed out", m.Attempt, OutcomeUnknown: true));
        }
    }

    static readonly Func<ILogger, int, IDisposable?> AttemptScope = LoggerMessage.DefineScope<int>("Attempt:{Attempt}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charge attempt {Attempt} failed transiently: {Reason}")]
    static partial void LogFailedTransiently(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charge attempt {Attempt} timed out")]
    static partial void LogTimedOut(ILogger logger, int attempt);
}
