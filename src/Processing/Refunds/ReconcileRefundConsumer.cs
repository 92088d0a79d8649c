using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Processing.Gateway;

namespace Payments.Processing.Refunds;

/// <summary>Asks the gateway what became of a refund and reports it to the refund saga as a definite answer.</summary>
public sealed partial class ReconcileRefundConsumer(IPaymentGateway gateway, IOptionsMonitor<FakeGatewayOptions> options,
    ILogger<ReconcileRefundConsumer> logger) : IConsumer<ReconcileRefund>
{
    public async Task Consume(ConsumeContext<ReconcileRefund> context)
    {
        var m = context.Message;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(options.CurrentValue.CallTimeout);
        try
        {
            var result = await gateway.FindRefund(m.IdempotencyKey, timeout.Token);
            if (result is null)
                await context.Publish(new RefundNotFound(m.RefundId));
            else if (result.Approved)
                await context.Publish(new RefundApproved(m.RefundId, result.ChargeId!, 0, DateTimeOffset.UtcNow));
            else
                await context.Publish(new RefundDeclined(m.RefundId, result.DeclineReason!, 0));
        }
        catch (Exception e) when (e is GatewayUnavailableException || (e is OperationCanceledException && !context.CancellationToken.IsCancellationRequested))
        {
            // No answer is not an answer: the saga asks again when its timeout fires.
            LogLookupFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund lookup failed: {Reason}")]
    static partial void LogLookupFailed(ILogger logger, string reason);
}

public sealed class ReconcileRefundConsumerDefinition : ConsumerDefinition<ReconcileRefundConsumer>
{
    public ReconcileRefundConsumerDefinition()
    {
        // Its own queue: one consumer per endpoint, so each queue can be dispatched on its own (SQS, Lambda).
        EndpointName = EndpointNames.ReconcileRefund;
        ConcurrentMessageLimit = 16;
    }
}
