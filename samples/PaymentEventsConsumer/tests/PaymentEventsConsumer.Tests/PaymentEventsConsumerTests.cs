using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;

namespace PaymentEventsConsumer.Tests;

/// <summary>The consumers on MassTransit's in-memory test harness, wired as Program wires them.</summary>
public sealed class PaymentEventsConsumerTests : IAsyncLifetime
{
    readonly ServiceProvider _provider = new ServiceCollection()
        .AddPaymentEventHandling()
        .AddMassTransitTestHarness(bus => bus.AddPaymentEventConsumers())
        .BuildServiceProvider(validateScopes: true);

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();
    PaymentTally Tally => _provider.GetRequiredService<PaymentTally>();

    public Task InitializeAsync() => Harness.Start();

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task A_PaymentSucceeded_is_consumed_and_tallied()
    {
        var succeeded = Succeeded(Guid.NewGuid(), 1999, "USD");

        await Harness.Bus.Publish(succeeded);

        Assert.True(await Harness.GetConsumerHarness<PaymentSucceededConsumer>().Consumed
            .Any<PaymentSucceeded>(m => m.Context.Message.EventId == succeeded.EventId));
        Assert.Equal(new CurrencyTally("USD", 1, 1999, 0, 0), Tally.For("USD"));
    }

    [Fact]
    public async Task The_same_EventId_twice_is_handled_once()
    {
        var eventId = Guid.NewGuid();
        // Two deliveries of one event: a redelivery carries the same EventId under a new MessageId.
        await Harness.Bus.Publish(Succeeded(eventId, 500, "EUR"));
        await Harness.Bus.Publish(Succeeded(eventId, 500, "EUR"));

        Assert.Equal(2, await Consumed<PaymentSucceeded>(m => m.EventId == eventId, count: 2));
        Assert.Equal(new CurrencyTally("EUR", 1, 500, 0, 0), Tally.For("EUR"));
    }

    [Fact]
    public async Task A_PaymentFailed_is_tallied_as_failed_and_its_duplicate_ignored()
    {
        var failed = new PaymentFailed(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 2051, "GBP", "declined: insufficient funds",
            DateTimeOffset.UtcNow);

        await Harness.Bus.Publish(failed);
        await Harness.Bus.Publish(failed);

        Assert.Equal(2, await Consumed<PaymentFailed>(m => m.EventId == failed.EventId, count: 2));
        Assert.All(Harness.Consumed.Select<PaymentFailed>(), m => Assert.Null(m.Exception));
        Assert.Equal(new CurrencyTally("GBP", 0, 0, 1, 2051), Tally.For("GBP"));
    }

    static PaymentSucceeded Succeeded(Guid eventId, long amount, string currency) =>
        new(eventId, Guid.NewGuid(), Guid.NewGuid(), amount, currency, "ch_test", DateTimeOffset.UtcNow);

    /// <summary>Waits (up to the harness's inactivity timeout) until <paramref name="count"/> matching messages were consumed.</summary>
    async Task<int> Consumed<T>(Func<T, bool> matches, int count) where T : class
    {
        var seen = 0;
        await foreach (var _ in Harness.Consumed.SelectAsync<T>(m => matches(m.Context.Message)))
            if (++seen == count)
                break;
        return seen;
    }
}
