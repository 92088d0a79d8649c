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

        var positional = new List<string>();
        int? max = null, count = null;
        string? messageId = null;
        bool all = false, dryRun = false;
        var seen = new HashSet<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }
            if (!seen.Add(arg))
                return Fail($"{arg} is given twice", out problem);
            switch (arg)
            {
                case "--all":
                    all = true;
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--max" or "--count":
                    if (!TryPositiveNumber(args, i + 1, out var n))
                        return Fail($"{arg} needs a positive whole number", out problem);
                    i++;
                    if (arg == "--max")
                        max = n;
                    else
                        count = n;
                    break;
                case "--message-id":
                    if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]) || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        return Fail("--message-id needs an id", out problem);
                    messageId = args[++i];
                    break;
                default:
                    return Fail($"unknown option '{arg}'", out problem);
            }
        }

        var allowed = verb switch
        {
            "list" => new HashSet<string>(),
            "show" => ["--max"],
            _ => new HashSet<string> { "--all", "--count", "--message-id", "--dry-run" },
        };
        if (seen.FirstOrDefault(o => !allowed.Contains(o)) is { } misplaced)
            return Fail($"{misplaced} does not go with {verb}", out problem);

        var expectedPositionals = verb == "list" ? 0 : 1;
        if (positional.Count != expectedPositionals)
            return Fail(expectedPositionals == 0 ? $"{verb} takes no queue" : $"{verb} needs one queue", out problem);

        if (verb == "replay" && (all ? 1 : 0) + (count is null ? 0 : 1) + (messageId is null ? 0 : 1) != 1)
            return Fail("replay needs exactly one of --all, --count N, --message-id ID", out problem);

        command = new Command(verb, positional.FirstOrDefault(), max, new ReplaySelection(count, messageId), dryRun);
        return true;
    }
}
