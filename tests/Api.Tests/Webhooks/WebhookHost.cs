using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Payments.Processing.Webhooks;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>
/// The all-in-one API with webhook delivery, on its own database. With a <see cref="FakeTimeProvider"/> the background
/// sender is off and the test steps it with <see cref="DeliverDue"/>, moving the schedule's clock by hand.
/// </summary>
public sealed class WebhookHost : IAsyncDisposable
{
    WebhookHost(ApiFactory api, FakeTimeProvider? time) => (Api, Time) = (api, time);

    public ApiFactory Api { get; }
    public FakeTimeProvider? Time { get; }
    public Sql Sql => Api.Sql;

    /// <param name="allowLoopback">False: the address guard refuses loopback, as in production.</param>
    public static async Task<WebhookHost> Start(FakeTimeProvider? time = null, bool allowLoopback = true,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (time is not null)
            all["Webhooks:Delivery:Enabled"] = "false";
        all.TryAdd("Webhooks:Delivery:PollInterval", "00:00:00.050");
        if (!allowLoopback)
        {
            // In place of the tests' loopback allowance (ApiFactory): networks no receiver here is on.
            all["Webhooks:AllowedNetworks:0"] = "192.0.2.0/24";
            all["Webhooks:AllowedNetworks:1"] = "2001:db8::/32";
        }
        var api = await ApiFactory.Start(all, services =>
        {
            if (time is not null)
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        });
        return new WebhookHost(api, time);
    }

    public WebhookDispatcher Dispatcher => Api.Services.GetRequiredService<WebhookDispatcher>();

    public Task<int> DeliverDue() => Dispatcher.DeliverDue(CancellationToken.None);

    /// <summary>A clock for the schedule at the current second: Postgres keeps microseconds, so ticks below them would not round-trip.</summary>
    public static FakeTimeProvider NewClock() => new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public async Task<Guid> InsertEndpoint(Guid userId, Uri url, string secret, string[]? eventTypes = null, string? previousSecret = null,
        DateTimeOffset? previousExpiresAt = null)
    {
        var id = Guid.NewGuid();
        var types = string.Join(", ", (eventTypes ?? [.. WebhookEventTypes.All]).Select(t => $"'{t}'"));
        await Sql.Execute(
            $"""
             INSERT INTO webhook_endpoints (id, user_id, url, event_types, enabled, secret, previous_secret, previous_secret_expires_at, created_at, updated_at)
             VALUES ('{id}', '{userId}', '{url}', ARRAY[{types}]::text[], true, '{secret}', {Literal(previousSecret)}, {Literal(previousExpiresAt)}, now(), now())
             """);
        return id;
    }

    /// <summary>A pending delivery due at <paramref name="dueAt"/>, as the fan-out would have planned it.</summary>
    public async Task<Guid> InsertDelivery(Guid endpointId, DateTimeOffset dueAt, Guid? eventId = null, string payload = """{"type":"payment.succeeded"}""")
    {
        var id = Guid.NewGuid();
        await Sql.Execute(
            $"""
             INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
             VALUES ('{id}', '{endpointId}', '{eventId ?? Guid.NewGuid()}', 'payment.succeeded', '{payload}', 'pending', 0, {Literal(dueAt)}, {Literal(dueAt)})
             """);
        return id;
    }

    public async Task<DeliveryRow> Delivery(Guid id) =>
        (await Sql.Query(
            $"SELECT status, attempts, next_attempt_at, last_response_code, last_error, delivered_at FROM webhook_deliveries WHERE id = '{id}'",
            r => new DeliveryRow(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2),
                r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5))))
        .Single();

    public async Task<(bool Enabled, string? Reason)> Endpoint(Guid id) =>
        (await Sql.Query($"SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = '{id}'",
            r => (r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetString(1)))).Single();

    static string Literal(string? value) => value is null ? "NULL" : $"'{value}'";

    static string Literal(DateTimeOffset? value) =>
        value is { } v ? $"'{v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'::timestamptz" : "NULL";

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

public sealed record DeliveryRow(string Status, int Attempts, DateTimeOffset? NextAttemptAt, int? LastResponseCode, string? LastError,
    DateTimeOffset? DeliveredAt);
