using System.Net;
using Payments.Processing.Telemetry;
using Payments.TestSupport;
using static Payments.Api.Tests.Refunds.RefundApi;

namespace Payments.Api.Tests.Refunds;

/// <summary><c>payments.refunds.created</c> counts a refund once its transaction committed: not a replay, not a refusal.</summary>
public class RefundMetricsTests(RefundApi refunds) : IClassFixture<RefundApi>
{
    [Fact]
    public async Task A_refund_is_counted_once_by_currency_and_replays_and_refusals_are_not()
    {
        using var metrics = new HostMetrics(refunds.Api.Services);
        var user = Guid.NewGuid();
        using var client = refunds.Api.ClientFor(user);
        var payment = await refunds.Payment(user, 1000, currency: "EUR");

        using var created = await Post(client, payment, Body(400), "counted");
        using var replayed = await Post(client, payment, Body(400), "counted");
        using var refused = await Post(client, payment, Body(601), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.Equal((HttpStatusCode)422, refused.StatusCode);
        var collected = metrics.Collect();
        Assert.Equal(1, collected.Sum(PaymentsMeter.RefundsCreated));
        Assert.Equal(1, collected.Sum(PaymentsMeter.RefundsCreated, (PaymentsMeter.CurrencyTag, "EUR")));
    }
}
