using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Processing.Gateway;

namespace Payments.Processing.Refunds;

/// <summary>Calls the gateway for one refund attempt and reports the answer to the refund saga.</summary>
public sealed partial class RefundChargeConsumer(IPaymentGateway gateway, IOptionsMonitor<FakeGatewayOptions> options,
    ILogger<RefundChargeConsumer> logger) : IConsumer<RefundCharge>
{
    public async Task Consume(ConsumeContext<RefundCharge> context)
    {
        var m = context.Message;
        using var _ = AttemptScope(logger, m.Attempt);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(options.CurrentValue.CallTimeout);
        try
        {
            var refund = new GatewayRefund(m.IdempotencyKey, m.RefundId, ChargePayment.IdempotencyKeyFor(m.PaymentId), m.Amount, m.Currency);
            var result = await gateway.Refund(refund, timeout.Token);
            if (result.Approved)
                await context.Publish(new RefundApproved(m.RefundId, result.ChargeId!, m.Attempt, DateTimeOffset.UtcNow));
            else
                await context.Publish(new RefundDeclined(m.RefundId, result.DeclineReason!, m.Attempt));
        }
        catch (GatewayUnavailableException e)
        {
            LogFailedTransiently(logger, m.Attempt, e.Message);
            await context.Publish(new RefundChargeFailed(m.RefundId, e.Message, m.Attempt, e.OutcomeUnknown));
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            LogTimedOut(logger, m.Attempt);
            // We stopped waiting; the gateway may still have acted on the request.
            await context.Publish(new RefundChargeFailed(m.RefundId, "gateway call timed out", m.Attempt, OutcomeUnknown: true));
        }
    }

    static readonly Func<ILogger, int, IDisposable?> AttemptScope = LoggerMessage.DefineScope<int>("Attempt:{Attempt}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund attempt {Attempt} failed transiently: {Reason}")]
    static partial void LogFailedTransiently(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund attempt {Attempt} timed out")]
    static partial void LogTimedOut(ILogger logger, int attempt);
}
