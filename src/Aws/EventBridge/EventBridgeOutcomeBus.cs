using Microsoft.Extensions.Options;
using Payments.Processing.Outcomes;

namespace Payments.Aws.EventBridge;

/// <summary>The outcome event bus on AWS: one PutEvents entry per outcome, on the configured custom bus.</summary>
public sealed class EventBridgeOutcomeBus(EventBridgeClient eventBridge, IOptions<OutcomeForwardingOptions> options) : IOutcomeEventBus
{
    public async Task<string> Put(OutcomeEvent outcome, CancellationToken cancellationToken)
    {
        var entry = new EventBridgeEntry(outcome.Source, outcome.DetailType, outcome.Detail, outcome.Time);
        var ids = await eventBridge.PutEvents(options.Value.BusName!, [entry], cancellationToken);
        return ids[0];
    }
}
