using System.Globalization;

namespace Payments.Workers;

/// <summary>
/// The words after an operator verb (<c>dlq</c>, <c>outbox</c>): options, each at most once, and positional words.
/// An option is a flag (<c>--all</c>), takes a whole number of at least 1 (<c>--max N</c>) or takes a word (<c>--id X</c>).
/// </summary>
sealed class VerbOptions
{
    readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    /// <summary>The options given, in order.</summary>
    public IEnumerable<string> Given => _given.Keys;

    public bool Has(string option) => _given.ContainsKey(option);

    public int? Number(string option) => _given.GetValueOrDefault(option) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    public string? Word(string option) => _given.GetValueOrDefault(option);

    /// <param name="words">Each option that takes a word, with the problem to report when the word is missing.</param>
    public static bool TryRead(IReadOnlyList<string> args, int start, string[] flags, string[] numbers, IReadOnlyDictionary<string, string> words,
        out VerbOptions options, out string problem)
    {
        options = new VerbOptions();
        problem = "";
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                options.Positional.Add(arg);
                continue;
            }
            if (options._given.ContainsKey(arg))
                return VerbOutput.Fail($"{arg} is given twice", out problem);

            if (flags.Contains(arg))
                options._given[arg] = null;
            else if (numbers.Contains(arg))
            {
                if (!VerbOutput.TryPositiveNumber(args, i + 1, out var n))
                    return VerbOutput.Fail($"{arg} needs a positive whole number", out problem);
                options._given[arg] = n.ToString(CultureInfo.InvariantCulture);
                i++;
            }
            else if (words.TryGetValue(arg, out var missing))
            {
                if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]) || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    return VerbOutput.Fail(missing, out problem);
                options._given[arg] = args[++i];
            }
            else
                return VerbOutput.Fail($"unknown option '{arg}'", out problem);
        }
        return true;
    }

    /// <summary>The first option given that <paramref name="verb"/> does not take, as a problem.</summary>
    public bool TryOnly(string verb, string[] allowed, out string problem)
    {
        problem = "";
        return Given.FirstOrDefault(o => !allowed.Contains(o)) is not { } misplaced
               || VerbOutput.Fail($"{misplaced} does not go with {verb}", out problem);
    }
}
