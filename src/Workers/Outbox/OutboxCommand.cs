using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Persistence.Outbox;
using static Payments.Workers.VerbOutput;

namespace Payments.Workers.Outbox;

/// <summary>
/// <c>worker outbox …</c>: lists the outbox rows delivery parked (a row that failed <c>Payments:Outbox:MaxAttempts</c>
/// times, or can never be sent) and re-queues them. It reads the worker's database settings and builds the database
/// access exactly as the worker does, but starts no bus, no delivery and needs no SQS. The SQL is in
/// <see cref="ParkedOutboxRows"/>.
/// </summary>
public static class OutboxCommand
{
    public static string Usage =>
        $"""
         usage: outbox parked [--max N]
                outbox retry (--id ID | --all) [--dry-run]

           parked   the parked rows, oldest first (up to N, default {DefaultMax}): sequence number, message id, type,
                    destination, failed attempts, when it was parked and the start of its last error
           retry    re-queue parked rows: no longer parked, attempts back to 0 (the last error stays until it is sent);
                    the delivery service sends them on its next poll. --id takes the sequence number or the message id.
                    --dry-run prints what would be re-queued and changes nothing.

         Settings as for the worker: ConnectionStrings:Payments (appsettings.json, or the environment variable
         ConnectionStrings__Payments), and Payments:Database:* when the password is kept in a secret.
         Exit codes: 0 done, 1 failed, 2 usage error.

         """;

    const int DefaultMax = 50;
    const int ErrorExcerpt = 100;

    /// <summary>From the worker's Main, with the worker's configuration sources.</summary>
    public static Task<int> Run(IReadOnlyList<string> args) =>
        Run(args, Host.CreateApplicationBuilder().Configuration, Console.Out, Console.Error);

    public static async Task<int> Run(IReadOnlyList<string> args, IConfiguration configuration, TextWriter output, TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        error ??= output;
        var parsed = TryParse(args, out var command, out var problem);
        if (await HelpOrUsageError(args, parsed, problem, "outbox", Usage, output, error) is { } exit)
            return exit;

        return await DatabaseVerb.Run("outbox", configuration, error, async services =>
        {
            var parked = services.GetRequiredService<ParkedOutboxRows>();
            return command.Verb == "parked"
                ? await List(parked, command.Max, output, cancellationToken)
                : await Retry(parked, command.Selection!, command.DryRun, output, error, cancellationToken);
        }, cancellationToken);
    }

    static async Task<int> List(ParkedOutboxRows parked, int max, TextWriter output, CancellationToken cancellationToken)
    {
        var rows = await parked.List(max, cancellationToken);
        var total = await parked.Count(cancellationToken);
        if (rows.Count == 0)
        {
            await output.WriteLineAsync("no parked outbox rows");
            return Ok;
        }
        List<string[]> table = [["SEQUENCE", "MESSAGE-ID", "TYPE", "DESTINATION", "ATTEMPTS", "PARKED-AT", "LAST-ERROR"]];
        table.AddRange(rows.Select(r => new[]
        {
            r.SequenceNumber.ToString(CultureInfo.InvariantCulture), r.MessageId.ToString(), TypeOf(r.MessageType), r.DestinationAddress ?? "-",
            r.Attempts.ToString(CultureInfo.InvariantCulture), Time(r.ParkedAt), Excerpt(r.LastError),
        }));
        await WriteTable(output, table);
        await output.WriteLineAsync($"{rows.Count} of {total} parked rows shown");
        return Ok;
    }

    static async Task<int> Retry(ParkedOutboxRows parked, ParkedSelection selection, bool dryRun, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var rows = await parked.Requeue(selection, dryRun, cancellationToken);
        foreach (var r in rows)
            await output.WriteLineAsync($"{(dryRun ? "would re-queue" : "re-queued")} {r.SequenceNumber} (message-id {r.MessageId}, " +
                                        $"{TypeOf(r.MessageType)}, {r.Attempts} attempts, parked {Time(r.ParkedAt)})");
        await output.WriteLineAsync(dryRun
            ? $"dry run: would re-queue {rows.Count}; nothing was changed"
            : $"re-queued {rows.Count}; the delivery service sends them on its next poll");

        if (rows.Count > 0 || selection.All)
            return Ok;
        await error.WriteLineAsync($"outbox: no parked row has the id {selection.SequenceNumber?.ToString(CultureInfo.InvariantCulture) ?? selection.MessageId.ToString()}");
        return Failure;
    }

    /// <summary>The message's own type: the first of its urn:message: names, without the prefix.</summary>
    static string TypeOf(string messageType) => messageType.Split(';')[0].Replace("urn:message:", "", StringComparison.Ordinal);

    static string Time(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    static string Excerpt(string? error)
    {
        var line = (error ?? "-").ReplaceLineEndings(" ");
        return line.Length <= ErrorExcerpt ? line : line[..(ErrorExcerpt - 1)] + "…";
    }

    /// <summary>A verb and its options: <c>parked</c> uses <see cref="Max"/>, <c>retry</c> <see cref="Selection"/> and <see cref="DryRun"/>.</summary>
    sealed record Command(string Verb, int Max, ParkedSelection? Selection, bool DryRun);

    static bool TryParse(IReadOnlyList<string> args, out Command command, out string problem)
    {
        command = null!;
        problem = "";
        if (args.Count == 0)
            return Fail("a verb is required", out problem);
        var verb = args[0];
        if (verb is not ("parked" or "retry"))
            return Fail($"unknown verb '{verb}'", out problem);

        if (!VerbOptions.TryRead(args, 1, ["--all", "--dry-run"], ["--max"],
                new Dictionary<string, string> { ["--id"] = "--id needs a sequence number or a message id" }, out var options, out problem)
            || !options.TryOnly(verb, verb == "parked" ? ["--max"] : ["--id", "--all", "--dry-run"], out problem))
            return false;
        if (options.Positional is [var extra, ..])
            return Fail($"unexpected argument '{extra}'", out problem);
        var (max, id, all, dryRun) = (options.Number("--max"), options.Word("--id"), options.Has("--all"), options.Has("--dry-run"));
        if (verb == "parked")
        {
            command = new Command(verb, max ?? DefaultMax, null, false);
            return true;
        }
        if (all == (id is not null))
            return Fail("retry needs exactly one of --id ID, --all", out problem);
        ParkedSelection selection;
        if (all)
            selection = new ParkedSelection(All: true);
        else if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var sequenceNumber))
            selection = new ParkedSelection(All: false, SequenceNumber: sequenceNumber);
        else if (Guid.TryParse(id, out var messageId))
            selection = new ParkedSelection(All: false, MessageId: messageId);
        else
            return Fail($"'{id}' is neither a sequence number nor a message id", out problem);
        command = new Command(verb, 0, selection, dryRun);
        return true;
    }
}
