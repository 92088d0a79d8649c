using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Aws.EventBridge;
using Payments.Aws.Sns;
using Payments.Workers;

namespace Payments.Aws.Tests;

/// <summary>
/// The hand-written AWS clients are singletons held by singletons (the SQS transport, the outcome event bus); they keep
/// no <see cref="HttpClient"/> but take one from the factory for each call, so the factory's handler rotation (DNS) and
/// the resilience pipeline apply to every call.
/// </summary>
public class AwsClientLifetimeTests
{
    static HostApplicationBuilder Worker()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Payments"] = "Host=127.0.0.1;Port=1;Username=nobody",
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = "http://127.0.0.1:1",
            ["Payments:EventBridge:BusName"] = "payments-bus",
            ["Payments:EventBridge:ServiceUrl"] = "http://127.0.0.1:1",
        });
        builder.AddPaymentsWorker();
        return builder;
    }

    [Fact]
    public void No_service_of_the_worker_takes_an_HttpClient_in_its_constructor()
    {
        var services = Worker().Services;

        // IHttpClientFactory registers HttpClient itself, as transient (a client from the factory per resolution).
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(HttpClient) && d.Lifetime != ServiceLifetime.Transient);
        var takingHttpClient = services.Select(d => d.IsKeyedService ? d.KeyedImplementationType : d.ImplementationType).OfType<Type>()
            .Where(t => t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(HttpClient))))
            .Select(t => t.FullName).ToList();
        Assert.Empty(takingHttpClient);
    }

    [Fact]
    public void The_AWS_clients_are_singletons_that_hold_no_HttpClient()
    {
        using var worker = Worker().Build();

        foreach (var client in new object[] { worker.Services.GetRequiredService<SnsClient>(), worker.Services.GetRequiredService<EventBridgeClient>() })
        {
            Assert.Same(client, worker.Services.GetRequiredService(client.GetType()));
            Assert.Empty(HttpClientsHeldBy(client, depth: 3));
        }
    }

    // The HttpClient fields reachable from `value` through the project's own types.
    static IEnumerable<string> HttpClientsHeldBy(object value, int depth)
    {
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (typeof(HttpClient).IsAssignableFrom(field.FieldType) || field.FieldType == typeof(HttpMessageInvoker))
                yield return $"{value.GetType().Name}.{field.Name}";
            else if (depth > 0 && field.GetValue(value) is { } inner && inner.GetType().Namespace?.StartsWith("Payments.", StringComparison.Ordinal) == true)
                foreach (var held in HttpClientsHeldBy(inner, depth - 1))
                    yield return held;
        }
    }
}
