using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Messaging;
using Payments.Processing.Webhooks;

namespace Payments.Workers.Lambda;

/// <summary>
/// The worker as a Lambda function behind an SQS event source mapping (with <c>ReportBatchItemFailures</c>): the
/// worker's own composition without the SQS long-poll receivers, since Lambda polls; outbox delivery keeps running
/// while the function is warm. Initialisation (building and starting the host) failing is reported to
/// <c>init/error</c> and ends the process with exit code 1.
/// </summary>
public static partial class LambdaWorker
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>From the worker's Main, inside Lambda (<c>AWS_LAMBDA_RUNTIME_API</c> set). Stops on SIGTERM.</summary>
    public static async Task<int> Run(string[] args)
    {
        if (Environment.GetEnvironmentVariable(RuntimeApiVariable) is not { Length: > 0 } api)
        {
            await Console.Error.WriteLineAsync($"lambda: {RuntimeApiVariable} is not set; this mode runs inside AWS Lambda only");
            return 2;
        }
        return await Run(new Uri($"http://{api}/"), () => Host.CreateApplicationBuilder(args), CancellationToken.None);
    }

    /// <summary>
    /// Initialises the worker host from <paramref name="createBuilder"/> (configuration only; the worker's
    /// registrations are added here) and runs the invocation loop until <paramref name="stop"/> or SIGTERM.
    /// </summary>
    public static async Task<int> Run(Uri runtimeApi, Func<HostApplicationBuilder> createBuilder, CancellationToken stop)
    {
        // The runtime client must outlive a failed initialisation (to report it), so it is built before the host, with
        // a container of its own; one client for the loop, whose invocation/next waits as long as the function idles.
        await using var httpClients = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        using var http = httpClients.GetRequiredService<IHttpClientFactory>().CreateClient();
        http.Timeout = Timeout.InfiniteTimeSpan;
        var client = new LambdaRuntimeClient(http, runtimeApi);

        IHost host;
        LambdaRuntimeLoop loop;
        try
        {
            var builder = createBuilder();
            if (MessagingRegistration.Transport(builder.Configuration) != MessagingTransport.AmazonSqs)
                throw new InvalidOperationException(
                    $"The Lambda mode consumes SQS events: set {MessagingRegistration.TransportKey}={MessagingTransport.AmazonSqs}");
            builder.AddPaymentsWorker(receive: false);
            // No webhook attempt may be left running when Lambda freezes the function after an answer: the invocation
            // loop sends them itself, after a batch that planned some and in the scheduled sweep.
            builder.Services.PostConfigure<WebhookDeliveryOptions>(o => o.Enabled = false);
            builder.Services.AddOptions<LambdaRuntimeOptions>().BindConfiguration(LambdaRuntimeOptions.Section)
                .ValidateDataAnnotations().ValidateOnStart();
            host = builder.Build();
            try
            {
                await host.StartAsync(stop);
                loop = ActivatorUtilities.CreateInstance<LambdaRuntimeLoop>(host.Services, client);
            }
            catch
            {
                await DisposeQuietly(host);
                throw;
            }
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"lambda: initialisation failed: {e}");
            var errorType = e is OptionsValidationException ? "Runtime.ConfigInvalid" : "Runtime.InitError";
            try
            {
                using var post = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await client.ReportInitError(errorType, e, post.Token);
            }
            catch (Exception report)
            {
                await Console.Error.WriteLineAsync($"lambda: could not report the init error: {report.Message}");
            }
            return 1;
        }

        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop, lifetime.ApplicationStopping);
        int exitCode;
        try
        {
            exitCode = await loop.Run(stopping.Token);
        }
        finally
        {
            try
            {
                using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // Lambda allows a little more after SIGTERM
                await host.StopAsync(shutdown.Token);
            }
            catch (Exception e)
            {
                LogStopFailed(host.Services.GetRequiredService<ILogger<LambdaRuntimeLoop>>(), e);
            }
            await DisposeQuietly(host);
        }
        return exitCode;
    }

    static async Task DisposeQuietly(IHost host)
    {
        try
        {
            if (host is IAsyncDisposable asyncDisposable)
                await asyncDisposable.DisposeAsync();
            else
                host.Dispose();
        }
        catch
        {
            // the failure that matters is being reported already
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker host did not stop cleanly")]
    static partial void LogStopFailed(ILogger logger, Exception exception);
}
