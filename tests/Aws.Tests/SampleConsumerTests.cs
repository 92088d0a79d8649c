using System.Diagnostics;
using System.Net;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// The sample downstream service (samples/PaymentEventsConsumer), built by scripts/test.sh against the packed
/// Payments.Contracts package, run as its own process: it subscribes its queue to our outcome topics on the emulator
/// and receives the outcomes of payments made through the API of a distributed deployment.
/// </summary>
public sealed class SampleConsumerTests : IAsyncLifetime
{
    static readonly string SampleDll = Path.Combine(Repository.Root,
        "samples/PaymentEventsConsumer/src/PaymentEventsConsumer/bin/Release/net10.0/PaymentEventsConsumer.dll");

    readonly string _prefix = AwsHost.NewPrefix();
    DistributedHosts _hosts = null!;

    public async Task InitializeAsync()
    {
        var database = await TestPostgres.CreateDatabase();
        _hosts = await DistributedHosts.Start(database, AwsHost.Settings(database, _prefix));
    }

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task The_sample_consumer_receives_a_success_and_a_failure_from_the_real_topics()
    {
        using var sample = SampleProcess.Start(SampleDll,
        [
            $"--PaymentEvents:ServiceUrl={TestSqs.ServiceUrl}", $"--PaymentEvents:EntityPrefix={_prefix}",
            "--PaymentEvents:SubscribeOnStart=true", "--PaymentEvents:WaitTimeSeconds=1",
        ]);
        await sample.WaitForLine(l => l.Contains("Listening on queue", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        var user = Guid.NewGuid();
        var succeeded = await CreatePayment(user, 1999);
        var declined = await CreatePayment(user, 2051); // the fake gateway declines amounts ending in 51

        await sample.WaitForLine(l => l.Contains("PaymentSucceeded", StringComparison.Ordinal) && l.Contains(succeeded.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        await sample.WaitForLine(l => l.Contains("PaymentFailed", StringComparison.Ordinal) && l.Contains(declined.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
    }

    async Task<Guid> CreatePayment(Guid user, long amount)
    {
        var created = await PaymentRequests.Post(_hosts.Api.ClientFor(user), PaymentRequests.Body(user, amount), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await PaymentRequests.Json(created)).GetProperty("id").GetGuid();
    }

    sealed class SampleProcess : IDisposable
    {
        readonly Process _process;
        readonly List<string> _lines = [];
        readonly SemaphoreSlim _newLine = new(0);

        SampleProcess(Process process) => _process = process;

        public static SampleProcess Start(string dll, string[] args)
        {
            if (!File.Exists(dll))
                throw new InvalidOperationException(
                    $"{dll} is missing: scripts/test.sh packs src/Contracts and builds the sample before the tests " +
                    "(or: dotnet pack src/Contracts -c Release -o .local/feed && dotnet build samples/PaymentEventsConsumer -c Release).");
            var start = new ProcessStartInfo("dotnet", [dll, .. args])
            {
                WorkingDirectory = Path.GetTempPath(), RedirectStandardOutput = true, RedirectStandardError = true,
            };
            var sample = new SampleProcess(Process.Start(start)!);
            sample._process.OutputDataReceived += (_, e) => sample.Add(e.Data);
            sample._process.ErrorDataReceived += (_, e) => sample.Add(e.Data);
            sample._process.BeginOutputReadLine();
            sample._process.BeginErrorReadLine();
            return sample;
        }

        void Add(string? line)
        {
            if (line is null)
                return;
            lock (_lines)
                _lines.Add(line);
            _newLine.Release();
        }

        public async Task WaitForLine(Func<string, bool> matches, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                lock (_lines)
                    if (_lines.Any(matches))
                        return;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _process.HasExited && _newLine.CurrentCount == 0)
                {
                    string output;
                    lock (_lines)
                        output = string.Join('\n', _lines);
                    Assert.Fail($"The sample did not print the expected line within {timeout} (exited: {_process.HasExited}). Its output:\n{output}");
                }
                await _newLine.WaitAsync(left > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
            _newLine.Dispose();
        }
    }
}
