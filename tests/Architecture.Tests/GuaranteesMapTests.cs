using System.Text.RegularExpressions;
using Payments.TestSupport;

namespace Payments.Architecture.Tests;

/// <summary><c>docs/guarantees.md</c> names real files and real tests, and every guarantee the design promises.</summary>
public partial class GuaranteesMapTests
{
    static readonly string Map = File.ReadAllText(Path.Combine(Repository.Root, "docs", "guarantees.md"));

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();

    [Theory]
    [InlineData("Exactly-once creation")]
    [InlineData("No dual writes")]
    [InlineData("Effectively-once processing")]
    [InlineData("No double charge")]
    [InlineData("terminal state is committed before the outcome event leaves")]
    [InlineData("Durable timers")]
    [InlineData("Poison messages → DLQ")]
    [InlineData("Poison outbox rows never hold up the others")]
    [InlineData("A payment's history is complete and written once")]
    [InlineData("AWS calls ride out throttling and brief outages")]
    public void Every_promised_guarantee_has_a_row(string guarantee) =>
        Assert.Contains(Map.Split('\n'), line => line.StartsWith('|') && line.Contains(guarantee, StringComparison.Ordinal));

    [Fact]
    public void Every_file_named_exists()
    {
        var files = Quoted().Matches(Map).Select(m => m.Groups[1].Value).Where(q => q.Contains('/')).Select(q => q.Split(" › ")[0]).Distinct().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.True(File.Exists(Path.Combine(Repository.Root, file)), $"{file} does not exist"));
    }

    [Fact]
    public void Every_test_named_exists_in_its_file()
    {
        var tests = Quoted().Matches(Map).Select(m => m.Groups[1].Value).Where(q => q.Contains(" › ")).Distinct().ToList();

        Assert.True(tests.Count >= 15, $"only {tests.Count} tests named");
        foreach (var test in tests)
        {
            var (file, method) = (test.Split(" › ")[0], test.Split(" › ")[1]);
            var source = File.ReadAllText(Path.Combine(Repository.Root, file));
            var declaration = Regex.Match(source, $@"\b(Task|void) {Regex.Escape(method)}\(");
            Assert.True(declaration.Success, $"{file} has no method named {method}");
            // The attributes between the end of the previous member and this declaration make it a test.
            var before = source[..declaration.Index];
            var previousEnd = before.LastIndexOf("\n    }", StringComparison.Ordinal);
            var attributes = previousEnd < 0 ? before : before[previousEnd..];
            Assert.True(attributes.Contains("[Fact") || attributes.Contains("[Theory"), $"{method} in {file} is not a test");
        }
    }
}
