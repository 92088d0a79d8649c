using Microsoft.Extensions.Hosting;
using Payments.Workers.Analytics;
using Payments.Workers.Catalogue;
using Payments.Workers.DeadLetters;
using Payments.Workers.Lambda;
using Payments.Workers.Outbox;

namespace Payments.Workers;

/// <summary>The worker process of the distributed mode: the saga and the gateway consumers, fed from SQS.</summary>
public static class WorkerProgram
{
    public static async Task Main(string[] args)
    {
        if (args is ["dlq", .. var rest])
        {
            Environment.ExitCode = await DeadLetterCommand.Run(rest);
            return;
        }
        if (args is ["outbox", .. var outboxArgs])
        {
            Environment.ExitCode = await OutboxCommand.Run(outboxArgs);
            return;
        }
        if (args is ["asyncapi", .. var catalogueArgs])
        {
            // The event catalogue: what scripts/asyncapi.sh writes to docs/asyncapi.json.
            if (catalogueArgs is [var path])
                await File.WriteAllTextAsync(path, EventCatalogue.Json());
            else
                Environment.ExitCode = await VerbOutput.UsageFailure(Console.Error, "asyncapi", "expected one argument",
                    "usage: asyncapi <path>   writes the event catalogue (AsyncAPI 3.0 JSON) to <path>\n");
            return;
        }
        if (args is ["analytics", .. var analyticsArgs])
        {
            Environment.ExitCode = await AnalyticsCommand.Run(analyticsArgs);
            return;
        }
        if (args is ["lambda", ..] || Environment.GetEnvironmentVariable(LambdaWorker.RuntimeApiVariable) is { Length: > 0 })
        {
            Environment.ExitCode = await LambdaWorker.Run(args is ["lambda", .. var lambdaArgs] ? lambdaArgs : args);
            return;
        }
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddPaymentsWorker();
        await builder.Build().RunAsync();
    }
}
