using Microsoft.Extensions.DependencyInjection;
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

    /// <param name="services">Test additions to both hosts' services, applied last.</param>
    public static async Task<DistributedHosts> Start(string database, IReadOnlyDictionary<string, string?> settings,
        Action<IServiceCollection>? services = null)
    {
        var worker = await AwsHost.StartWorker(new Dictionary<string, string?>(settings), services: services);
        var api = ApiFactory.StartOn(database, new Dictionary<string, string?>(settings) { ["Payments:Role"] = "Api" }, services);
        return new DistributedHosts(worker, api);
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Worker.StopAsync();
        Worker.Dispose();
    }
}
