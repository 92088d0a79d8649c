using Microsoft.Extensions.Options;
using Payments.TestSupport;

namespace Payments.Api.Tests;

/// <summary>The admission bound and its timings are checked when the process starts, not when the first request needs them.</summary>
public class AdmissionSettingsTests
{
    [Theory]
    [InlineData("MaxBacklog", "0")]
    [InlineData("MaxBacklog", "-5")]
    [InlineData("MeasureInterval", "00:00:00")]
    [InlineData("RetryAfterSeconds", "0")]
    public async Task Refuses_to_start_with_an_invalid_admission_setting(string setting, string value)
    {
        using var factory = new ApiFactory(await TestPostgres.CreateDatabase(),
            new Dictionary<string, string?> { [$"Payments:Admission:{setting}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Contains(setting, error.Message);
    }
}
