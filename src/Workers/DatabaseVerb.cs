using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Persistence;
using static Payments.Workers.VerbOutput;

namespace Payments.Workers;

/// <summary>
/// How the operator verbs that only need Postgres (<c>outbox</c>, <c>analytics</c>) run: storage services on the worker's
/// database settings, no bus and no SQS, one scope, and a failure told as one line instead of a stack trace.
/// </summary>
public static class DatabaseVerb
{
    public static async Task<int> Run(string verb, IConfiguration configuration, TextWriter error, Func<IServiceProvider, Task<int>> body,
        CancellationToken cancellationToken)
    {
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddPaymentsPersistence(configuration, WorkerRegistration.DatabasePassword(configuration));
            await using var provider = services.BuildServiceProvider();
            await using var scope = provider.CreateAsyncScope();
            return await body(scope.ServiceProvider);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"{verb}: interrupted");
        }
        catch (DbException e)
        {
            await error.WriteLineAsync($"{verb}: the database failed: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            await error.WriteLineAsync($"{verb}: invalid settings: {e.Message}");
        }
        return Failure;
    }
}
