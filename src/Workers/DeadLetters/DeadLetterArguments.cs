using Payments.Aws.DeadLetters;
using static Payments.Workers.VerbOutput;

namespace Payments.Workers.DeadLetters;

/// <summary>The <c>dlq</c> verb's arguments: which verb, which queue, and the options that go with it.</summary>
static class DeadLetterArguments
{
    public sealed record Command(string Verb, string? Queue, int? Max, ReplaySelection Selection, bool DryRun);

    public static bool TryParse(IReadOnlyList<string> args, out Command command, out string problem)
    {
        command = null!;
        problem = "";
        if (args.Count == 0)
            return Fail("a verb is required", out problem);

        var verb = args[0];
        if (verb is not ("list" or "show" or "replay"))
            return Fail($"unknown verb '{verb}'", out problem);

        if (!VerbOptions.TryRead(args, 1, ["--all", "--dry-run"], ["--max", "--count"], new Dictionary<string, string> { ["--message-id"] = "--message-id needs an id" },
                out var options, out problem))
            return false;
        string[] allowed = verb switch
        {
            "list" => [],
            "show" => ["--max"],
            _ => ["--all", "--count", "--message-id", "--dry-run"],
        };
        if (!options.TryOnly(verb, allowed, out problem))
            return false;

        var positional = options.Positional;
        var expectedPositionals = verb == "list" ? 0 : 1;
        if (positional.Count != expectedPositionals)
            return Fail(expectedPositionals == 0 ? $"{verb} takes no queue" : $"{verb} needs one queue", out problem);

        var (count, messageId) = (options.Number("--count"), options.Word("--message-id"));
        if (verb == "replay" && (options.Has("--all") ? 1 : 0) + (count is null ? 0 : 1) + (messageId is null ? 0 : 1) != 1)
            return Fail("replay needs exactly one of --all, --count N, --message-id ID", out problem);

        command = new Command(verb, positional.FirstOrDefault(), options.Number("--max"), new ReplaySelection(count, messageId), options.Has("--dry-run"));
        return true;
    }
}
