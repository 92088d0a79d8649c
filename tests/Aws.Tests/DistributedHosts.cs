using Microsoft.Extensions.Hosting;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// The distributed mode in one test process: a worker host over the emulator, then the API (Role=Api) on the same
/// settings. The worker starts first because it provisions the queues and subscriptions the API publishes into.
/// </summary>
sealed class DistributedHosts(IHost worker, ApiFactory api) : IAsyncDisposable
{
    public IHost Worker { get; } = worker;
    public ApiFactory Api { get; } = api;

    public static async Task<DistributedHosts> Start(string database, IReadOnlyDictionary<string, string?> settings)
    {
        var worker = await AwsHost.StartWorker(new Dictionary<string, string?>(settings));
        var api = ApiFactory.StartOn(database, new Dictionary<string, string?>(settings) { ["Payments:Role"] = "Api" });
        return new DistributedHosts(worker, api);
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Worker.StopAsync();
        Worker.Dispose();
    }
}
