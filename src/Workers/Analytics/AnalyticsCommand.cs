using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Persistence.Analytics;
using static Payments.Workers.VerbOutput;

namespace Payments.Workers.Analytics;

/// <summary>
/// <c>worker analytics rebuild</c>: recomputes the analytics facts from <c>payments</c> (<see cref="AnalyticsRebuild"/>) and
/// says how many daily figures the incremental path had differently. Database settings as for the worker; no bus, no SQS.
/// </summary>
public static class AnalyticsCommand
{
    public static string Usage =>
        """
        usage: analytics rebuild [--dry-run]

          rebuild   recompute every finished payment's analytics row from the payments table, in one transaction, and
                    print how many (user, day, currency) figures differed from the incrementally kept ones (0 is expected).
                    --dry-run only counts the differing figures and changes nothing.

        Settings as for the worker: ConnectionStrings:Payments (appsettings.json, or the environment variable
        ConnectionStrings__Payments), and Payments:Database:* when the password is kept in a secret.
        Exit codes: 0 done, 1 failed, 2 usage error.

        """;

    /// <summary>From the worker's Main, with the worker's configuration sources.</summary>
    public static Task<int> Run(IReadOnlyList<string> args) =>
        Run(args, Host.CreateApplicationBuilder().Configuration, Console.Out, Console.Error);

    public static async Task<int> Run(IReadOnlyList<string> args, IConfiguration configuration, TextWriter output, TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        error ??= output;
        var parsed = args is ["rebuild"] or ["rebuild", "--dry-run"];
        var problem = args.Count == 0 ? "a verb is required" : args[0] != "rebuild" ? $"unknown verb '{args[0]}'" : $"unexpected argument '{args[^1]}'";
        if (await HelpOrUsageError(args, parsed, problem, "analytics", Usage, output, error) is { } exit)
            return exit;

        return await DatabaseVerb.Run("analytics", configuration, error, async services =>
        {
            var rebuild = services.GetRequiredService<AnalyticsRebuild>();
            if (args is [_, "--dry-run"])
            {
                var differing = await rebuild.DifferingFigures(cancellationToken);
                await output.WriteLineAsync($"dry run: {differing} daily figures differ from a rebuild; nothing was changed");
                return Ok;
            }
            var result = await rebuild.Run(cancellationToken);
            await output.WriteLineAsync($"rebuilt from {result.Payments} finished payments and {result.Refunds} finished refunds; {result.DifferingFigures} daily figures differed before");
            return Ok;
        }, cancellationToken);
    }
}
