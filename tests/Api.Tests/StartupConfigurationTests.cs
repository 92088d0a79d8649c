using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Payments.TestSupport;

namespace Payments.Api.Tests;

/// <summary>The process refuses to start with unsafe or missing auth settings, and says which setting is wrong.</summary>
public class StartupConfigurationTests
{
    // Never reached: startup fails while the host is being built, before anything connects.
    const string UnusedConnectionString = "Host=127.0.0.1;Port=1;Database=never_used;Username=nobody";

    [Fact]
    public void Refuses_to_start_without_SigningKey_or_Authority_via_ApiFactory_null_override()
    {
        using var factory = new ApiFactory(UnusedConnectionString, new Dictionary<string, string?> { ["Auth:SigningKey"] = null });
        var message = StartupFailure(() => _ = factory.Server);
        Assert.Contains("Auth:SigningKey", message);
        Assert.Contains("Auth:Authority", message);
    }

    [Fact]
    public void Refuses_to_start_without_SigningKey_or_Authority()
    {
        using var factory = new BareFactory(new Dictionary<string, string?>());
        var message = StartupFailure(() => factory.CreateClient());
        Assert.Contains("Auth:SigningKey", message);
        Assert.Contains("Auth:Authority", message);
    }

    [Theory]
    [InlineData("short-key")]
    [InlineData("0123456789abcdef0123456789abcde")] // 31 bytes of text
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")] // valid base64 of 31 bytes
    public void Refuses_to_start_with_a_SigningKey_shorter_than_32_bytes(string key)
    {
        using var factory = new BareFactory(new Dictionary<string, string?> { ["Auth:SigningKey"] = key });
        var message = StartupFailure(() => _ = factory.Server);
        Assert.Contains("Auth:SigningKey", message);
        Assert.Contains("32 bytes", message);
    }

    [Fact]
    public void Refuses_to_start_with_both_SigningKey_and_Authority()
    {
        using var factory = new BareFactory(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = ApiFactory.SigningKey,
            ["Auth:Authority"] = "https://issuer.example",
        });
        var message = StartupFailure(() => _ = factory.Server);
        Assert.Contains("Auth:SigningKey", message);
        Assert.Contains("Auth:Authority", message);
    }

    [Fact]
    public void Refuses_a_SigningKey_outside_development_and_tests()
    {
        using var factory = new BareFactory(new Dictionary<string, string?> { ["Auth:SigningKey"] = ApiFactory.SigningKey }, "Production");
        var message = StartupFailure(() => _ = factory.Server);
        Assert.Contains("Auth:SigningKey", message);
        Assert.Contains("Auth:Authority", message);
    }

    static string StartupFailure(Action start)
    {
        var exception = Record.Exception(start);
        Assert.NotNull(exception);
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            messages.Add($"{e.GetType().Name}: {e.Message}");
            if (e is AggregateException aggregate)
                messages.AddRange(aggregate.InnerExceptions.Select(x => $"{x.GetType().Name}: {x.Message}"));
        }
        var all = string.Join(" | ", messages);
        Assert.True(messages.Any(m => m.StartsWith(nameof(InvalidOperationException))), all);
        return all;
    }

    /// <summary>The real Program with only the settings given: no ApiFactory defaults (so no signing key).</summary>
    sealed class BareFactory(IReadOnlyDictionary<string, string?> settings, string environment = "Testing") : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("ConnectionStrings:Payments", UnusedConnectionString);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        }
    }
}
