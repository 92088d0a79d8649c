using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Contracts;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// The worker image's entry point, <c>dotnet Payments.Workers.dll</c>, started as Lambda starts it (with
/// <c>AWS_LAMBDA_RUNTIME_API</c> set), as a real process against the fake Runtime API.
/// </summary>
public class LambdaRuntimeProcessTests
{
    [Fact]
    public async Task Under_AWS_LAMBDA_RUNTIME_API_the_worker_answers_invocations_and_stops_cleanly_on_SIGTERM()
    {
        await using var api = await LambdaFakeRuntimeApi.Start();
        var settings = AwsHost.Settings(await TestPostgres.CreateDatabase(), AwsHost.NewPrefix());
        using var worker = StartWorker(api, settings);

        var id = api.Enqueue("""{"Records":[]}""", DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5));
        var answer = await api.NextAnswer(TimeSpan.FromSeconds(60));
        Assert.Equal(("response", id), (answer.Kind, answer.RequestId));
        Assert.Empty(JsonNode.Parse(answer.Body)!["batchItemFailures"]!.AsArray());

        using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString()]))
            await kill.WaitForExitAsync();
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, worker.ExitCode);
    }

    [Fact]
    public async Task Under_AWS_LAMBDA_RUNTIME_API_a_bad_setting_is_an_init_error_and_a_non_zero_exit()
    {
        await using var api = await LambdaFakeRuntimeApi.Start();
        var settings = AwsHost.Settings("Host=127.0.0.1;Port=1;Username=nobody", AwsHost.NewPrefix());
        settings["Messaging:AmazonSqs:MaxReceiveCount"] = "0";
        using var worker = StartWorker(api, settings);

        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, worker.ExitCode);
        var answer = await api.NextAnswer(TimeSpan.FromSeconds(1));
        Assert.Equal("init/error", answer.Kind);
        Assert.Contains("MaxReceiveCount", answer.Body);
    }

    [Fact]
    public async Task A_scheduled_sweep_writes_the_outbox_lag_as_an_embedded_metric_then_delivers()
    {
        await using var api = await LambdaFakeRuntimeApi.Start();
        var database = await TestPostgres.CreateDatabase();
        var settings = AwsHost.Settings(database, AwsHost.NewPrefix());
        settings["Payments:Outbox:DeliveryEnabled"] = "false"; // a frozen instance: only the sweep delivers
        using (var frozen = await AwsHost.StartWorker(settings))
        {
            await AwsHost.PublishThroughOutbox(frozen, new PaymentRequested(Guid.NewGuid(), Guid.NewGuid(), 700, "USD", null, DateTimeOffset.UtcNow));
            await frozen.StopAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the row has waited more than a second

        var stdout = new List<string>();
        using var worker = StartWorker(api, settings, stdout);
        var id = api.Enqueue("""{"version":"0","source":"aws.events","detail-type":"Scheduled Event","detail":{}}""", DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5));
        var answer = await api.NextAnswer(TimeSpan.FromSeconds(60));
        Assert.Equal(("response", id), (answer.Kind, answer.RequestId));

        JsonNode? metric = null;
        await Sql.WaitUntil(() =>
        {
            lock (stdout)
                metric = stdout.Select(ParseOrNull).FirstOrDefault(line => line?["_aws"] is not null);
            return Task.FromResult(metric is not null);
        }, TimeSpan.FromSeconds(10), "the embedded metric line on stdout");
        var definition = metric!["_aws"]!["CloudWatchMetrics"]![0]!;
        Assert.Equal("Payments", definition["Namespace"]!.GetValue<string>());
        Assert.Equal("OutboxOldestAgeSeconds", definition["Metrics"]![0]!["Name"]!.GetValue<string>());
        Assert.Empty(definition["Dimensions"]![0]!.AsArray());
        Assert.InRange(metric["OutboxOldestAgeSeconds"]!.GetValue<double>(), 1.0, 120.0);
        Assert.Equal(0, await new Sql(database).Count("outbox_messages"));

        using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString()]))
            await kill.WaitForExitAsync();
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    static JsonNode? ParseOrNull(string line)
    {
        try { return JsonNode.Parse(line); }
        catch (JsonException) { return null; }
    }

    static Process StartWorker(LambdaFakeRuntimeApi api, IDictionary<string, string?> settings, List<string>? stdout = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Payments.Workers.dll")])
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = $"{api.Url.Host}:{api.Url.Port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__")] = value;
        var process = Process.Start(start)!;
        // Drain the pipes so a chatty process never blocks on a full pipe.
        process.OutputDataReceived += (_, e) =>
        {
            if (stdout is not null && e.Data is not null)
                lock (stdout) stdout.Add(e.Data);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
