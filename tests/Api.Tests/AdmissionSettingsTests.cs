using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Payments.Api.Admission;

namespace Payments.Api.Tests;

/// <summary>The admission bound and its timings are checked when the process starts, not when the first request needs them.</summary>
public class AdmissionSettingsTests
{
    // A plain host with only the admission services: through WebApplicationFactory a start-time validation failure races
    // the factory's own start (it can see the failed host already disposed: ObjectDisposedException instead of the error).
    [Theory]
    [InlineData("MaxBacklog", "0")]
    [InlineData("MaxBacklog", "-5")]
    [InlineData("MeasureInterval", "00:00:00")]
    [InlineData("RetryAfterSeconds", "0")]
    public async Task Refuses_to_start_with_an_invalid_admission_setting(string setting, string value)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"Payments:Admission:{setting}"] = value });
        builder.Services.AddPaymentAdmission();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(setting, error.Message);
    }
}
