using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Processing.Gateway;

namespace Payments.Processing.Charging;

/// <summary>Asks the gateway what became of a charge and reports it to the saga as a definite answer.</summary>
public sealed partial class ReconcileChargeConsumer(IPaymentGateway gateway, IOptionsMonitor<FakeGatewayOptions> options,
    ILogger<ReconcileChargeConsumer> logger) : IConsumer<ReconcileCharge>
{
    public async Task Consume(ConsumeContext<ReconcileCharge> context)
    {
        var m = context.Message;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(options.CurrentValue.CallTimeout);
        try
        {
            var result = await gateway.Find(m.IdempotencyKey, timeout.Token);
            if (result is null)
                await context.Publish(new ChargeNotFound(m.PaymentId));
            else if (result.Approved)
                await context.Publish(new PaymentCharged(m.PaymentId, result.ChargeId!, 0, DateTimeOffset.UtcNow));
            else
                await context.Publish(new PaymentDeclined(m.PaymentId, result.DeclineReason!, 0));
        }
        catch (Exception e) when (e is GatewayUnavailableException || (e is OperationCanceledException && !context.CancellationToken.IsCancellationRequested))
        {
            // No answer is not an answer: the saga asks again when its timeout fires.
            LogLookupFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charge lookup failed: {Reason}")]
    static partial void LogLookupFailed(ILogger logger, string reason);
}

public sealed class ReconcileChargeConsumerDefinition : ConsumerDefinition<ReconcileChargeConsumer>
{
    public ReconcileChargeConsumerDefinition()
    {
        // Its own queue: one consumer per endpoint, so each queue can be dispatched on its own (SQS, Lambda).
        EndpointName = EndpointNames.ReconcileCharge;
        ConcurrentMessageLimit = 16;
    }
}
