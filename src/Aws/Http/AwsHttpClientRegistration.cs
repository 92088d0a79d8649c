using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Aws.EventBridge;
using Payments.Aws.SecretsManager;
using Payments.Aws.Signing;
using Payments.Aws.Sns;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Payments.Aws.Http;

/// <summary>
/// The hand-written AWS clients: each a singleton that takes a named <see cref="HttpClient"/> from the factory per call.
/// A request goes through, outermost first: the total timeout, jittered exponential retries, the circuit breaker, the
/// attempt timeout, then SigV4 signing of that attempt.
/// </summary>
public static class AwsHttpClientRegistration
{
    public static IServiceCollection AddSnsClient(this IServiceCollection services, Func<IServiceProvider, AwsEndpointOptions> endpoint)
    {
        services.AddAwsHttpClient(SnsClient.HttpClientName, "sns", endpoint);
        services.TryAddSingleton<SnsClient>();
        return services;
    }

    public static IServiceCollection AddEventBridgeClient(this IServiceCollection services, Func<IServiceProvider, AwsEndpointOptions> endpoint)
    {
        services.AddAwsHttpClient(EventBridgeClient.HttpClientName, "events", endpoint);
        services.TryAddSingleton<EventBridgeClient>();
        return services;
    }

    public static IServiceCollection AddSecretsManagerClient(this IServiceCollection services, Func<IServiceProvider, AwsEndpointOptions> endpoint)
    {
        services.AddAwsHttpClient(SecretsManagerClient.HttpClientName, "secretsmanager", endpoint);
        services.TryAddSingleton<SecretsManagerClient>();
        return services;
    }

    static void AddAwsHttpClient(this IServiceCollection services, string name, string service,
        Func<IServiceProvider, AwsEndpointOptions> endpoint)
    {
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<AwsHttpOptions>)))
            services.AddOptions<AwsHttpOptions>().BindConfiguration(AwsHttpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton(name, (sp, _) => AwsSigningTarget.For(service, endpoint(sp)));

        var client = services.AddHttpClient(name, (sp, http) =>
        {
            http.BaseAddress = sp.GetRequiredKeyedService<AwsSigningTarget>(name).Url;
            // The pipeline bounds the call up to the response headers; this bounds reading the body, which follows it.
            http.Timeout = sp.GetRequiredService<IOptions<AwsHttpOptions>>().Value.TotalTimeout * 2;
        });
        client.AddResilienceHandler("aws", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<AwsHttpOptions>>().Value;
            // Retrying is safe for every call the clients make: CreateTopic and Subscribe are idempotent, GetSecretValue
            // reads. Publish and PutEvents may then deliver a message twice, each copy under the same id (the envelope's
            // MessageId, the outcome's eventId), by which the inbox and the bus's subscribers drop the second.
            pipeline
                .AddTimeout(options.TotalTimeout)
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = args => AwsRetryableOutcome.IsRetryable(args.Outcome, args.Context.CancellationToken),
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = options.RetryMaxDelay,
                    DelayGenerator = args => ValueTask.FromResult(
                        AwsRetryableOutcome.RetryAfter(args.Outcome.Result, options.RetryMaxDelay, DateTimeOffset.UtcNow)),
                })
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = args => AwsRetryableOutcome.IsRetryable(args.Outcome, args.Context.CancellationToken),
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakerBreakDuration,
                })
                .AddTimeout(options.AttemptTimeout);
        });
        // Added after the resilience handler, so inside it: each attempt passes through and is signed afresh.
        client.AddHttpMessageHandler(sp => new SigV4SigningHandler(sp.GetRequiredKeyedService<AwsSigningTarget>(name)));
    }
}
