using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Payments.Aws.Sqs;

/// <summary>Creates the topology at start-up when AutoProvision is on, before anything sends or receives.</summary>
public sealed class SqsProvisioningService(SqsTopology topology, IOptions<AwsMessagingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.AutoProvision ? topology.Provision(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
