using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Aws.Http;
using Payments.Aws.DeadLetters;
using Payments.Aws.Signing;
using Payments.Aws.Sqs;
using Payments.Outbox;
using Payments.Processing.Endpoints;

namespace Payments.Aws;

public static class AwsRegistration
{
    /// <summary>
    /// SQS/SNS as the transport: the outbox delivers to topics and queues; with <paramref name="receive"/> this
    /// process also long-polls the endpoint queues and reports the depth of each one's dead-letter queue (not on Lambda, where
    /// nothing runs between invocations and SQS's own CloudWatch metric, which the alarm watches, is the depth). The topology
    /// lists every endpoint, hosted here or not.
    /// </summary>
    public static IServiceCollection AddAmazonSqsTransport(this IServiceCollection services, IReadOnlyList<MessageEndpoint> topology, bool receive)
    {
        services.AddOptions<AwsMessagingOptions>().BindConfiguration(AwsMessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        foreach (var endpoint in topology)
            services.AddSingleton(endpoint);

        services.AddSingleton<IAmazonSQS>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AwsMessagingOptions>>().Value;
            var config = new AmazonSQSConfig();
            if (options.ServiceUrl is null)
                return new AmazonSQSClient(new AmazonSQSConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) });
            config.ServiceURL = options.ServiceUrl.ToString();
            config.AuthenticationRegion = options.Region;
            return new AmazonSQSClient(EmulatorCredentials, config);
        });
        services.AddSnsClient(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AwsMessagingOptions>>().Value;
            return Endpoint(options.Region, options.ServiceUrl);
        });

        services.AddSingleton<SqsTopology>();
        services.AddSingleton<SqsMessageDispatcher>();
        services.AddSingleton<SqsBatchHandler>();
        services.Replace(ServiceDescriptor.Singleton<IOutboxTransport, SqsOutboxTransport>());
        services.AddHostedService<SqsProvisioningService>();
        if (receive)
        {
            services.AddHostedService<SqsReceiveService>();
            services.AddMetrics();
            services.AddHostedService<DeadLetterDepthGauge>();
        }
        return services;
    }

    /// <summary>
    /// For endpoint overrides (emulators, tests' loopback endpoints): they check no real key. Real AWS credentials come
    /// from the SDK's default chain.
    /// </summary>
    public static readonly AWSCredentials EmulatorCredentials = new BasicAWSCredentials("local", "local");

    /// <summary>The public endpoint with the SDK's default credentials, or an override with <see cref="EmulatorCredentials"/>.</summary>
    internal static AwsEndpointOptions Endpoint(string region, Uri? serviceUrl) => new()
    {
        Region = region, ServiceUrl = serviceUrl, Credentials = serviceUrl is null ? null : EmulatorCredentials,
    };
}
