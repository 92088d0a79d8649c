using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Processing.Endpoints;
using Payments.Processing.PaymentSaga;

namespace Payments.Sagas.Tests;

/// <summary>
/// The saga endpoint's one list of messages covers everything the state machine handles: each is partitioned by
/// payment, and each that another process publishes is subscribed (the saga's own timers are sent to its queue).
/// </summary>
public class PaymentSagaEndpointTests
{
    static readonly PaymentStateMachine Machine = new(Options.Create(new PaymentSagaOptions()));

    static IReadOnlyList<Type> HandledMessageTypes() =>
        Machine.Events
            .SelectMany(e => e.GetType().GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Event<>))
            .Select(i => i.GetGenericArguments()[0])
            .Distinct()
            .ToList();

    [Fact]
    public void Every_message_the_machine_handles_is_on_the_saga_endpoint_and_nothing_else_is()
    {
        var listed = ProcessingEndpoints.PaymentSaga.Messages.Select(m => m.Type);

        Assert.Equal(HandledMessageTypes().Select(t => t.Name).Order(), listed.Select(t => t.Name).Order());
    }

    [Fact]
    public void Every_handled_message_but_the_sagas_own_timers_is_subscribed()
    {
        Type[] timers = [Machine.ChargeTimeout.Received.GetType().GetGenericArguments().Last(), typeof(ChargeRetryDue)];
        var subscribed = ProcessingEndpoints.PaymentSaga.SubscribedTypes.ToHashSet();

        foreach (var type in HandledMessageTypes())
            Assert.True(timers.Contains(type) != subscribed.Contains(type),
                $"{type.Name}: {(timers.Contains(type) ? "a timer, sent to the queue, must not be subscribed" : "published by others, must be subscribed")}");
    }

    [Fact]
    public async Task Every_handled_message_is_partitioned_by_payment_on_the_configured_endpoint()
    {
        await using var provider = new ServiceCollection()
            .AddSingleton<IPaymentCompletion, RecordedCompletions>()
            .AddMassTransitTestHarness(x => x.AddSagaStateMachine<PaymentStateMachine, PaymentState, PaymentStateMachineDefinition>().InMemoryRepository())
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var probe = JsonNode.Parse(JsonSerializer.Serialize(harness.Bus.GetProbeResult()))!;
        var partitioned = Descendants(probe)
            .Where(pipe => pipe["filters"] is JsonArray filters && filters.Any(f => f?["filterType"]?.GetValue<string>() == "partition"))
            .Select(pipe => pipe["outputType"]?.GetValue<string>())
            .ToHashSet();

        foreach (var type in HandledMessageTypes())
            Assert.True(partitioned.Contains($"MassTransit.ConsumeContext<{type.FullName}>"), $"{type.Name} is not partitioned by payment");
    }

    static IEnumerable<JsonObject> Descendants(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : Descendants(p.Value)).Prepend(o),
        JsonArray a => a.SelectMany(n => n is null ? [] : Descendants(n)),
        _ => [],
    };
}
