using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Payments.Aws;
using Payments.Aws.DeadLetters;
using Payments.Messaging;
using Payments.Processing.Endpoints;
using static Payments.Workers.VerbOutput;

namespace Payments.Workers.DeadLetters;

/// <summary>
/// <c>worker dlq …</c>: lists the endpoints' dead-letter queues with their depth, shows dead letters, and moves them back
/// to their source queue. It reads the worker's own settings (<c>Messaging:AmazonSqs:*</c>) and builds the SQS client
/// exactly as the worker does, but starts no bus and needs no database.
/// </summary>
public static class DeadLetterCommand
{
    public const int Ok = VerbOutput.Ok;
    public const int Failure = VerbOutput.Failure;
    public const int UsageError = VerbOutput.UsageError;

    public static string Usage =>
        $"""
         usage: dlq list
                dlq show <queue> [--max N]
                dlq replay <queue> (--all | --count N | --message-id ID) [--dry-run]

           list     each endpoint queue and its dead-letter queue (<queue>_dlq), with their approximate depth
           show     peek at up to N (default {DefaultMax}) dead letters of <queue>; they stay in the dead-letter queue
           replay   move dead letters of <queue> back to <queue>, same body and attributes; each is deleted from the
                    dead-letter queue only after it was re-sent. --message-id takes the SQS or the MassTransit message id.
                    --dry-run prints what would move and moves nothing.

         <queue> is one of: {string.Join(", ", DeadLetterQueues.Endpoints)} (the entity prefix is added).
         Settings as for the worker: Messaging:Transport=AmazonSqs and Messaging:AmazonSqs:* (appsettings.json, or
         environment variables such as Messaging__AmazonSqs__ServiceUrl, Messaging__AmazonSqs__EntityPrefix).
         Exit codes: 0 done, 1 failed, 2 usage error.

         """;

    const int DefaultMax = 10;

    /// <summary>From the worker's Main: the worker's configuration sources; Ctrl+C stops between two messages.</summary>
    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var configuration = Host.CreateApplicationBuilder().Configuration;
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (interrupt.IsCancellationRequested)
                return; // a second Ctrl+C ends the process; still nothing is lost, only delayed by the visibility timeout
            e.Cancel = true;
            Console.Error.WriteLine("dlq: stopping after the current message (Ctrl+C again to quit at once)");
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await Run(args, configuration, Console.Out, Console.Error, interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    public static async Task<int> Run(IReadOnlyList<string> args, IConfiguration configuration, TextWriter output, TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        error ??= output;
        var parsed = DeadLetterArguments.TryParse(args, out var command, out var problem);
        if (await HelpOrUsageError(args, parsed, problem, "dlq", Usage, output, error) is { } exit)
            return exit;

        try
        {
            if (MessagingRegistration.Transport(configuration) != MessagingTransport.AmazonSqs)
            {
                await error.WriteLineAsync($"dlq: {MessagingRegistration.TransportKey} must be AmazonSqs: dead-letter queues exist only on SQS");
                return Failure;
            }

            await using var services = BuildServices(configuration);
            var options = services.GetRequiredService<IOptions<AwsMessagingOptions>>().Value;
            var queues = new DeadLetterQueues(services.GetRequiredService<IAmazonSQS>(), options);

            string? endpoint = null;
            if (command.Queue is not null && (endpoint = EndpointOf(command.Queue, options.EntityPrefix)) is null)
                return await UsageFailure(error, "dlq", $"unknown queue '{command.Queue}'", Usage);

            return command.Verb switch
            {
                "list" => await List(queues, output, error, cancellationToken),
                "show" => await Show(queues, endpoint!, command.Max ?? DefaultMax, output, cancellationToken),
                _ => await Replay(queues, endpoint!, command.Selection, command.DryRun, output, error, cancellationToken),
            };
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"dlq: invalid settings: {string.Join("; ", e.Failures)}");
        }
        catch (DeadLetterException e)
        {
            await error.WriteLineAsync($"dlq: {e.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("dlq: interrupted");
        }
        catch (AmazonServiceException e)
        {
            await error.WriteLineAsync($"dlq: SQS refused: {e.ErrorCode}: {e.Message}");
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException)
        {
            await error.WriteLineAsync($"dlq: SQS unreachable: {e.Message}");
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException)
        {
            await error.WriteLineAsync($"dlq: invalid settings: {e.Message}");
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"dlq: failed: {e}");
        }
        return Failure;
    }

    static async Task<int> List(DeadLetterQueues queues, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        List<string[]> rows = [["QUEUE", "VISIBLE", "IN-FLIGHT", "DEAD-LETTER-QUEUE", "DEAD-VISIBLE", "DEAD-IN-FLIGHT"]];
        var missing = new List<string>();
        foreach (var endpoint in DeadLetterQueues.Endpoints)
        {
            var (queue, dlq) = (queues.QueueName(endpoint), queues.DeadLetterQueueName(endpoint));
            var depth = await queues.Depth(queue, cancellationToken);
            var dead = await queues.Depth(dlq, cancellationToken);
            if (depth is null)
                missing.Add(queue);
            if (dead is null)
                missing.Add(dlq);
            rows.Add([queue, Count(depth?.Visible), Count(depth?.InFlight), dlq, Count(dead?.Visible), Count(dead?.InFlight)]);
        }
        await WriteTable(output, rows);
        if (missing.Count == 0)
            return Ok;
        await error.WriteLineAsync($"dlq: missing queues: {string.Join(", ", missing)} (check {AwsMessagingOptions.Section}:EntityPrefix)");
        return Failure;

        static string Count(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "missing";
    }

    static async Task<int> Show(DeadLetterQueues queues, string endpoint, int max, TextWriter output, CancellationToken cancellationToken)
    {
        var dlq = queues.DeadLetterQueueName(endpoint);
        var letters = await queues.Peek(endpoint, max, cancellationToken);
        var depth = await queues.Depth(dlq, cancellationToken);
        await output.WriteLineAsync($"{dlq}: {letters.Count} shown, ~{depth?.Visible ?? 0} waiting, ~{depth?.InFlight ?? 0} in flight");
        foreach (var letter in letters)
        {
            await output.WriteLineAsync(
                $"{letter.SqsMessageId}  message-id {letter.EnvelopeMessageId ?? "-"}  receives {letter.ReceiveCount?.ToString(CultureInfo.InvariantCulture) ?? "?"}  " +
                $"sent {letter.SentAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "?"}  type {letter.MessageType ?? "-"}");
            await output.WriteLineAsync($"    {letter.Excerpt}");
        }
        return Ok;
    }

    static async Task<int> Replay(DeadLetterQueues queues, string endpoint, ReplaySelection selection, bool dryRun, TextWriter output,
        TextWriter error, CancellationToken cancellationToken)
    {
        var (queue, dlq) = (queues.QueueName(endpoint), queues.DeadLetterQueueName(endpoint));
        var result = await queues.Replay(endpoint, selection, dryRun, (letter, outcome) =>
        {
            var what = $"{letter.SqsMessageId} (message-id {letter.EnvelopeMessageId ?? "-"}, {letter.MessageType ?? "unknown type"})";
            switch (outcome)
            {
                case ReplayOutcome.Moved:
                    output.WriteLine($"moved {what} to {queue}");
                    break;
                case ReplayOutcome.WouldMove:
                    output.WriteLine($"would move {what} to {queue}");
                    break;
                case ReplayOutcome.SendFailed:
                    error.WriteLine($"dlq: could not send {what} to {queue}; it stays in {dlq}");
                    break;
                case ReplayOutcome.CopiedNotDeleted:
                    error.WriteLine($"dlq: sent {what} to {queue} but could not delete it from {dlq}; it is in both (consumers ignore the repeat)");
                    break;
            }
        }, cancellationToken);

        var depth = await queues.Depth(dlq, CancellationToken.None);
        var summary = dryRun
            ? $"dry run: would move {result.WouldMove}, left {result.Left}; nothing was moved"
            : $"moved {result.Moved}, left {result.Left}";
        await output.WriteLineAsync($"{(result.Interrupted ? "interrupted: " : "")}{summary} ({dlq} now holds ~{depth?.Visible ?? 0})");

        if (result.Failure is not null)
        {
            await error.WriteLineAsync($"dlq: replay stopped: {result.Failure.Message}");
            return Failure;
        }
        if (selection.MessageId is { } id && !result.Found)
        {
            await error.WriteLineAsync($"dlq: message {id} is not in {dlq}");
            return Failure;
        }
        return result.Interrupted ? Failure : Ok;
    }

    static ServiceProvider BuildServices(IConfiguration configuration)
    {
        // The worker's own registration, so the client (emulator or region + default credential chain) and the
        // validated options are the worker's. Nothing here is started: no bus, no receivers, no provisioning.
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddAmazonSqsTransport(ProcessingEndpoints.All, receive: false);
        return services.BuildServiceProvider();
    }

    /// <summary>An endpoint by its name, also accepted with the entity prefix or as its dead-letter queue's name.</summary>
    static string? EndpointOf(string queue, string prefix)
    {
        var name = queue.EndsWith("_dlq", StringComparison.Ordinal) ? queue[..^4] : queue;
        if (DeadLetterQueues.Endpoints.Contains(name))
            return name;
        if (prefix.Length > 0 && name.StartsWith(prefix, StringComparison.Ordinal) && DeadLetterQueues.Endpoints.Contains(name[prefix.Length..]))
            return name[prefix.Length..];
        return null;
    }
}
