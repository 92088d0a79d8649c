using System.Text;
using System.Text.Json;

namespace Payments.Aws.Tests.Reliability;

/// <summary>Expected against observed, one row per invariant, printed as a Markdown table.</summary>
sealed class InvariantTable
{
    readonly List<(string Name, long Expected, long Observed)> _rows = [];
    readonly List<string> _notes = [];

    public bool AllHold => _rows.All(r => r.Expected == r.Observed);

    public void Add(string name, long expected, long observed) => _rows.Add((name, expected, observed));

    public void Note(string note) => _notes.Add(note);

    public string Json(IEnumerable<string> events) => JsonSerializer.Serialize(new
    {
        events,
        invariants = _rows.Select(r => new { name = r.Name, expected = r.Expected, observed = r.Observed, holds = r.Expected == r.Observed }),
        notes = _notes,
    }, new JsonSerializerOptions { WriteIndented = true });

    public string Render(IEnumerable<string> events)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Events:");
        foreach (var e in events)
            sb.AppendLine("    " + e);
        sb.AppendLine();
        sb.AppendLine("| Invariant | Expected | Observed | Holds |");
        sb.AppendLine("| --- | ---: | ---: | --- |");
        foreach (var (name, expected, observed) in _rows)
            sb.AppendLine($"| {name} | {expected} | {observed} | {(expected == observed ? "yes" : "**NO**")} |");
        foreach (var note in _notes)
            sb.AppendLine().AppendLine(note);
        return sb.ToString();
    }
}
