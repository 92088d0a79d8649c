using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Tests.OpenApi;
using Payments.Persistence.Outbox;
using Payments.TestSupport;

namespace Payments.Api.Tests;

/// <summary>
/// Admission control on POST /payments: past the bound of payments accepted and not finished, a new payment is refused with
/// 503, Retry-After and a problem, nothing written; a replay is still answered; admission resumes once the saga catches up.
/// </summary>
public class AdmissionTests : IAsyncLifetime
{
    const int MaxBacklog = 3;
    ApiFactory _api = null!;

    // Delivery is off, so no PaymentRequested reaches the saga until a test hands the outbox over: the backlog stays put.
    public async Task InitializeAsync() =>
        _api = await ApiFactory.Start(new Dictionary<string, string?>
        {
            ["Payments:Outbox:DeliveryEnabled"] = "false",
            ["Payments:Admission:MaxBacklog"] = MaxBacklog.ToString(),
            ["Payments:Admission:MeasureInterval"] = "00:00:00.020",
            ["Payments:Admission:RetryAfterSeconds"] = "7",
        });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Past_the_bound_a_new_payment_gets_503_with_Retry_After_and_nothing_is_written()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        await FillTheBacklog(client, user);

        using var refused = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 4000), "one-too-many");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("7", Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await PaymentRequests.Json(refused);
        Assert.Equal("urn:payments:problem:overloaded", problem.GetProperty("type").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        await OpenApiContract.Committed().AssertConforms(refused, "POST", "/payments");

        Assert.Equal(MaxBacklog, await _api.Sql.Count("payments", $"user_id = '{user}'"));
        Assert.Equal(0, await _api.Sql.Count("idempotency_keys", $"user_id = '{user}' AND key = 'one-too-many'"));
        Assert.Equal(MaxBacklog, await _api.Sql.Count("outbox_messages", $"message_type LIKE '%PaymentRequested%' AND body LIKE '%{user}%'"));
    }

    [Fact]
    public async Task A_replay_is_answered_while_new_payments_are_refused()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        var first = await FillTheBacklog(client, user);
        using var refused = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 4000), "one-too-many");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        using var replayed = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 1000), "key-0");

        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.Equal("true", Assert.Single(replayed.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(first, replayed.Headers.Location);
        Assert.Equal(MaxBacklog, await _api.Sql.Count("payments", $"user_id = '{user}'"));
    }

    [Fact]
    public async Task Admission_resumes_when_the_backlog_is_worked_off()
    {
        var user = Guid.NewGuid();
        using var client = _api.ClientFor(user);
        await FillTheBacklog(client, user);
        using (var refused = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 4000), "retried"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        // A payment the saga has started is still in progress: admission waits for it to finish.
        var sweep = _api.Services.GetRequiredService<OutboxDeliveryService>();
        await sweep.DeliverBatch(CancellationToken.None);
        await Sql.WaitUntil(async () => await _api.Sql.Count("payment_sagas") == MaxBacklog, TimeSpan.FromSeconds(30), "the saga started every payment");
        await Task.Delay(TimeSpan.FromMilliseconds(200)); // ten measurements
        using (var refused = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 4000), "retried"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        // Hand over each next step (delivery is off in this host) until every payment is finished: the backlog falls to nothing.
        await Sql.WaitUntil(async () =>
        {
            await sweep.DeliverBatch(CancellationToken.None);
            return await _api.Sql.Count("payments", $"user_id = '{user}' AND status <> 'PENDING'") == MaxBacklog;
        }, TimeSpan.FromSeconds(30), "every payment finished");

        // The client's retry: the same request with the same key, until the next measurement lets it in.
        HttpStatusCode status = default;
        await Sql.WaitUntil(async () =>
        {
            using var retried = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount: 4000), "retried");
            status = retried.StatusCode;
            return status != HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(10), "a retry admitted after the backlog fell");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(MaxBacklog + 1, await _api.Sql.Count("payments", $"user_id = '{user}'"));
    }

    /// <summary>
    /// Creates as many payments as the bound allows (keys key-0, key-1, …); returns the first one's address. A payment that
    /// commits while a measurement is starting is counted twice until the next one (admission errs on the side of the
    /// bound), so a request may be refused early for one measurement interval: it is retried with its key, as a client does.
    /// </summary>
    static async Task<Uri> FillTheBacklog(HttpClient client, Guid user)
    {
        Uri? first = null;
        for (var i = 0; i < MaxBacklog; i++)
        {
            var status = HttpStatusCode.ServiceUnavailable;
            var key = $"key-{i}";
            var amount = 1000 + i;
            await Sql.WaitUntil(async () =>
            {
                using var created = await PaymentRequests.Post(client, PaymentRequests.Body(user, amount), key);
                status = created.StatusCode;
                first ??= status == HttpStatusCode.Created ? created.Headers.Location : null;
                return status != HttpStatusCode.ServiceUnavailable;
            }, TimeSpan.FromSeconds(5), $"payment {i} of {MaxBacklog} admitted");
            Assert.Equal(HttpStatusCode.Created, status);
        }
        return first!;
    }
}
