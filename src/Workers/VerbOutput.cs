using System.Globalization;

namespace Payments.Workers;

/// <summary>What the worker's operator verbs (<c>dlq</c>, <c>outbox</c>) share: exit codes, usage errors and tables.</summary>
public static class VerbOutput
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>
    /// How every verb's Run begins: help prints the usage (exit 0); arguments that did not parse print the problem and the
    /// usage (exit 2). Null when the verb should run.
    /// </summary>
    public static async Task<int?> HelpOrUsageError(IReadOnlyList<string> args, bool parsed, string problem, string verb, string usage,
        TextWriter output, TextWriter error)
    {
        if (args is ["help" or "--help" or "-h"])
        {
            await output.WriteAsync(usage);
            return Ok;
        }
        return parsed ? null : await UsageFailure(error, verb, problem, usage);
    }

    /// <summary>Names the problem, prints the usage, and returns <see cref="UsageError"/>.</summary>
    public static async Task<int> UsageFailure(TextWriter error, string verb, string problem, string usage)
    {
        await error.WriteLineAsync($"{verb}: {problem}");
        await error.WriteAsync(usage);
        return UsageError;
    }

    /// <summary>Left-aligned columns two spaces apart; the first row is the header.</summary>
    public static async Task WriteTable(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }

    /// <summary>For parsers: the option's value at <paramref name="index"/>, if there is one and it is a whole number of at least 1.</summary>
    public static bool TryPositiveNumber(IReadOnlyList<string> args, int index, out int number) =>
        int.TryParse(index < args.Count ? args[index] : null, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number >= 1;

    /// <summary>For parsers: sets <paramref name="problem"/> and returns false.</summary>
    public static bool Fail(string message, out string problem)
    {
        problem = message;
        return false;
    }
}
