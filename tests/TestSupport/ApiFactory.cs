using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Auth;
using Payments.Processing.Gateway;

namespace Payments.TestSupport;

/// <summary>
/// The real API process (all-in-one role: API, saga, gateway worker) on its own test database, over real HTTP
/// semantics through the ASP.NET Core test server. Settings can be overridden per test class.
/// </summary>
public class ApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-with-at-least-32-bytes-of-entropy!";
    public Sql Sql { get; } = new(connectionString);

    public static async Task<ApiFactory> Start(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        StartOn(await TestPostgres.CreateDatabase(), settings, services);

    /// <summary>An API on an existing test database, e.g. one a worker host shares.</summary>
    /// <param name="services">Test additions to the host's services (e.g. in-memory telemetry exporters), applied last.</param>
    public static ApiFactory StartOn(string connectionString, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var factory = new ApiFactory(connectionString, settings, services);
        _ = factory.Server; // start the host now, not on the first request
        return factory;
    }

    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Auth:SigningKey"] = SigningKey,
        ["Payments:Role"] = "AllInOne",
        ["Payments:Saga:ChargeTimeout"] = "00:00:05",
        ["Payments:Saga:RetryBaseDelay"] = "00:00:00.020",
        ["Payments:Saga:RetryMaxDelay"] = "00:00:00.200",
        ["Payments:Saga:MaxAttempts"] = "12",
        ["Payments:FakeGateway:Latency"] = "00:00:00.001",
        ["Payments:Outbox:PollInterval"] = "00:00:00.200",
        ["Logging:LogLevel:Default"] = "Warning",
        // Webhook receivers in tests are Kestrel on loopback over http; the SSRF tests take the allow-list away.
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Webhooks:AllowedNetworks:1"] = "::1/128",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Payments", connectionString);
        foreach (var (key, value) in Defaults)
            builder.UseSetting(key, value);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
        if (services is not null)
            builder.ConfigureTestServices(services);
    }

    public ChargeLedger Ledger => Services.GetRequiredService<ChargeLedger>();

    public static string TokenFor(Guid userId, TimeSpan? lifetime = null) =>
        DevToken.Create(new AuthOptions { SigningKey = SigningKey }, userId.ToString(), lifetime ?? TimeSpan.FromMinutes(30));

    public HttpClient ClientFor(Guid userId)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(userId));
        return client;
    }
}
