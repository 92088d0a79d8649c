using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws.Http;
using Payments.Aws.Signing;

namespace Payments.Aws.Tests;

/// <summary>
/// The hand-written AWS clients composed as the hosts compose them (<see cref="AwsHttpClientRegistration"/>: factory,
/// resilience pipeline, signing handler), pointed at a loopback endpoint, with retry waits short enough for tests.
/// </summary>
public sealed class AwsClients : IDisposable
{
    public const string Region = "eu-west-1";

    static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Aws:Http:RetryBaseDelay"] = "00:00:00.010",
        ["Aws:Http:RetryMaxDelay"] = "00:00:00.100",
    };

    readonly List<ServiceProvider> _providers = [];

    public static AWSCredentials ServerCredentials => new BasicAWSCredentials(SigV4VerifyingServer.AccessKey, SigV4VerifyingServer.SecretKey);

    /// <summary>A fresh container with the client <typeparamref name="T"/> that <paramref name="register"/> adds.</summary>
    /// <param name="settings">Overrides of <c>Aws:Http:*</c> and anything else the configuration holds.</param>
    public T Build<T>(Func<IServiceCollection, Func<IServiceProvider, AwsEndpointOptions>, IServiceCollection> register, Uri serviceUrl,
        AWSCredentials? credentials = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? alsoRegister = null)
        where T : notnull
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(FastRetries).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        register(services, _ => new AwsEndpointOptions { Region = Region, ServiceUrl = serviceUrl, Credentials = credentials ?? ServerCredentials });
        alsoRegister?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        return provider.GetRequiredService<T>();
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
            provider.Dispose();
    }
}
