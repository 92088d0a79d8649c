using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;

namespace Payments.Sagas.Tests;

/// <summary>
/// One started in-memory harness with the refund saga and short timings; disposed at the end of a test. No gateway consumer:
/// the test plays the gateway, reading the RefundCharge commands and publishing the answers itself.
/// </summary>
sealed class RefundSagaTest : IAsyncDisposable
{
    static readonly CancellationToken Done = new(true);
    readonly ServiceProvider _provider;

    RefundSagaTest(ServiceProvider provider, RecordedRefundCompletions completions)
    {
        _provider = provider;
        Completions = completions;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<RefundStateMachine, RefundState>();
    }

    public ITestHarness Harness { get; }
    public RecordedRefundCompletions Completions { get; }
    public ISagaStateMachineTestHarness<RefundStateMachine, RefundState> Saga { get; }

    /// <summary>A timeout short enough for tests that wait for timers to fire.</summary>
    public static void TimeoutsFire(PaymentSagaOptions o) => o.ChargeTimeout = TimeSpan.FromMilliseconds(300);

    public static async Task<RefundSagaTest> Start(Action<PaymentSagaOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddOptions<PaymentSagaOptions>().Configure(o =>
        {
            // Long enough that a test's answer always beats the timer on a busy machine.
            o.ChargeTimeout = TimeSpan.FromSeconds(2);
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(100);
            o.MaxAttempts = 3;
            configure?.Invoke(o);
        });
        var completions = new RecordedRefundCompletions();
        services.AddSingleton<IRefundCompletion>(completions);
        services.Configure<TestHarnessOptions>(o =>
        {
            o.TestTimeout = TimeSpan.FromSeconds(10);
            o.TestInactivityTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddMassTransitTestHarness(x =>
        {
            x.AddDelayedMessageScheduler();
            x.AddSagaStateMachine<RefundStateMachine, RefundState>().InMemoryRepository();
            x.UsingInMemory((ctx, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(ctx);
            });
        });

        var provider = services.BuildServiceProvider(true);
        var test = new RefundSagaTest(provider, completions);
        await test.Harness.Start();
        return test;
    }

    public static RefundRequested NewRequest(long amount = 400) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), amount, "USD", "test", DateTimeOffset.UtcNow);

    public async Task<RefundRequested> Request(long amount = 400)
    {
        var request = NewRequest(amount);
        await Harness.Bus.Publish(request);
        return request;
    }

    public async Task<RefundState> Load(Guid id)
    {
        using var scope = _provider.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ILoadSagaRepository<RefundState>>().Load(id);
    }

    public Task<RefundState> WaitForSaga(Guid id, Func<RefundState, bool> condition, string what) =>
        Eventually(async () => await Load(id) is { } saga && condition(saga) ? saga : null, what);

    public Task<RefundState> WaitForState(Guid id, string state) => WaitForSaga(id, s => s.CurrentState == state, state);

    /// <summary>RefundCharge commands sent so far for this refund, in order (no waiting).</summary>
    public List<RefundCharge> Attempts(Guid id) =>
        Harness.Sent.Select<RefundCharge>(x => x.Context.Message.RefundId == id, Done).Select(x => x.Context.Message).ToList();

    public List<ReconcileRefund> Lookups(Guid id) =>
        Harness.Sent.Select<ReconcileRefund>(x => x.Context.Message.RefundId == id, Done).Select(x => x.Context.Message).ToList();

    public List<T> Published<T>(Guid id) where T : class =>
        Harness.Published.Select<T>(x => RefundIdOf(x.Context.Message) == id, Done).Select(x => x.Context.Message).ToList();

    public async Task<(RefundCharge Message, SendContext<RefundCharge> Context)> WaitForAttempt(Guid id, int attempt)
    {
        var sent = await Eventually(() => Harness.Sent
            .Select<RefundCharge>(x => x.Context.Message.RefundId == id && x.Context.Message.Attempt == attempt, Done)
            .FirstOrDefault(), $"RefundCharge attempt {attempt}");
        return (sent.Context.Message, sent.Context);
    }

    public Task<ReconcileRefund> WaitForLookup(Guid id, int count = 1) =>
        Eventually(() => Lookups(id).Skip(count - 1).FirstOrDefault(), $"{count} x ReconcileRefund");

    public async Task<T> WaitForPublished<T>(Guid id) where T : class =>
        (await Eventually(() => Harness.Published.Select<T>(x => RefundIdOf(x.Context.Message) == id, Done).FirstOrDefault(),
            typeof(T).Name)).Context.Message;

    public async Task PublishTracked<T>(List<Guid> ids, T message) where T : class
    {
        var messageId = NewId.NextGuid();
        ids.Add(messageId);
        await Harness.Bus.Publish(message, c => c.MessageId = messageId);
    }

    /// <summary>Waits until the bus has consumed every listed message (consumed = handled, ignored or discarded).</summary>
    public Task WaitConsumed(IReadOnlyCollection<Guid> messageIds) =>
        Eventually(() => messageIds.All(m => Harness.Consumed.Select(x => x.Context.MessageId == m, Done).Any()) ? "" : null,
            "all messages consumed");

    /// <summary>Waits past a timeout, so a timer that should have been cancelled would show.</summary>
    public Task Settle() =>
        Task.Delay(_provider.GetRequiredService<IOptions<PaymentSagaOptions>>().Value.ChargeTimeout + TimeSpan.FromMilliseconds(200));

    public void AssertNoFaults()
    {
        var faults = Harness.Published.Select(x => x.MessageType.IsGenericType
                && x.MessageType.GetGenericTypeDefinition() == typeof(Fault<>), Done)
            .Select(x => x.MessageType.Name + ": " + x.MessageObject)
            .ToList();
        var consumeFaults = Harness.Consumed.Select(x => x.Exception is not null, Done)
            .Select(x => x.MessageType.Name + ": " + x.Exception!.Message).ToList();
        Assert.True(faults.Count == 0 && consumeFaults.Count == 0,
            "unexpected faults: " + string.Join("; ", faults.Concat(consumeFaults)));
    }

    static Guid? RefundIdOf(object message) => message switch
    {
        RefundSucceeded m => m.RefundId,
        RefundFailed m => m.RefundId,
        _ => null,
    };

    static Task<T> Eventually<T>(Func<T?> probe, string what) where T : class =>
        Eventually(() => Task.FromResult(probe()), what);

    static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}
