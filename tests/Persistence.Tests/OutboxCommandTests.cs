using Microsoft.Extensions.Configuration;
using Payments.TestSupport;
using Payments.Workers.Outbox;
using Xunit.Abstractions;

namespace Payments.Persistence.Tests;

/// <summary>The worker's <c>outbox</c> verb: its arguments, exit codes, and what it lists and re-queues.</summary>
public class OutboxCommandTests(ITestOutputHelper output) : IAsyncLifetime
{
    Sql _sql = null!;

    public async Task InitializeAsync() => _sql = new Sql(await TestPostgres.CreateDatabase());
    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("parked", "extra")]
    [InlineData("parked", "--max", "0")]
    [InlineData("parked", "--max")]
    [InlineData("parked", "--all")]
    [InlineData("parked", "--id", "1")]
    [InlineData("retry")]
    [InlineData("retry", "--dry-run")]
    [InlineData("retry", "--all", "--id", "1")]
    [InlineData("retry", "--all", "--all")]
    [InlineData("retry", "--id")]
    [InlineData("retry", "--id", "not-an-id")]
    [InlineData("retry", "--id", "-3")]
    [InlineData("retry", "--all", "--max", "3")]
    public async Task A_usage_error_prints_the_usage_and_exits_with_2(params string[] args)
    {
        var result = await Command(Configuration(_sql.ConnectionString), args);
        Assert.Equal(2, result.Exit);
        Assert.Contains("usage: outbox parked", result.Output);
    }

    [Fact]
    public async Task Help_prints_the_usage_and_a_missing_or_unreachable_database_exits_with_1()
    {
        var help = await Command(Configuration(_sql.ConnectionString), "--help");
        Assert.Equal((0, true), (help.Exit, help.Output.StartsWith("usage: outbox parked", StringComparison.Ordinal)));

        var unset = await Command(new ConfigurationBuilder().Build(), "parked");
        Assert.Equal(1, unset.Exit);
        Assert.Contains("ConnectionStrings:Payments is not set", unset.Output);

        var unreachable = await Command(Configuration("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2"), "retry", "--all");
        Assert.Equal(1, unreachable.Exit);
        Assert.Contains("outbox: the database failed", unreachable.Output);
    }

    [Fact]
    public async Task Parked_lists_parked_rows_only_and_retry_re_queues_what_was_selected_while_a_dry_run_changes_nothing()
    {
        var configuration = Configuration(_sql.ConnectionString);
        Assert.Equal((0, "no parked outbox rows\n"), await Command(configuration, "parked"));

        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        await _sql.Execute($"""
            INSERT INTO outbox_messages (message_id, sent_time, content_type, message_type, body, destination_address, attempts, last_error, parked_at)
            VALUES ('{ids[0]}', now(), 'application/json', 'urn:message:A:One;urn:message:A:Base', '{"{}"}', 'queue:a', 10, 'boom
            on two lines', now()),
                   ('{ids[1]}', now(), 'application/json', 'urn:message:A:Two', '{"{}"}', 'queue:b', 3, '{new string('x', 500)}', now()),
                   ('{ids[2]}', now(), 'application/json', 'urn:message:A:Three', '{"{}"}', 'queue:c', 2, 'not yet', NULL);
            """);
        var sequence = await _sql.Query("SELECT sequence_number FROM outbox_messages ORDER BY sequence_number", r => r.GetInt64(0));

        var listed = await Command(configuration, "parked");
        Assert.Equal(0, listed.Exit);
        var lines = listed.Output.TrimEnd().Split('\n');
        Assert.Equal(["SEQUENCE", "MESSAGE-ID", "TYPE", "DESTINATION", "ATTEMPTS", "PARKED-AT", "LAST-ERROR"],
            lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal([$"{sequence[0]}", $"{ids[0]}", "A:One", "queue:a", "10"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        Assert.EndsWith("boom on two lines", lines[1]);
        Assert.EndsWith(new string('x', 99) + "…", lines[2]);
        Assert.Equal("2 of 2 parked rows shown", lines[^1]);
        Assert.Contains("1 of 2 parked rows shown", (await Command(configuration, "parked", "--max", "1")).Output);

        var dryRun = await Command(configuration, "retry", "--all", "--dry-run");
        Assert.Equal(0, dryRun.Exit);
        Assert.Contains($"would re-queue {sequence[0]} (message-id {ids[0]}, A:One, 10 attempts, parked ", dryRun.Output);
        Assert.Contains("dry run: would re-queue 2; nothing was changed", dryRun.Output);
        Assert.Equal(2, await _sql.Count("outbox_messages", "parked_at IS NOT NULL"));

        // By message id; a row that is not parked (or not there) is not found.
        var byMessageId = await Command(configuration, "retry", "--id", $"{ids[1]}");
        Assert.Equal(0, byMessageId.Exit);
        Assert.Contains($"re-queued {sequence[1]} (message-id {ids[1]}, A:Two, 3 attempts", byMessageId.Output);
        Assert.Equal([(0, false, true)], await _sql.Query($"SELECT attempts, parked_at IS NOT NULL, last_error IS NOT NULL FROM outbox_messages WHERE message_id = '{ids[1]}'",
            r => (r.GetInt32(0), r.GetBoolean(1), r.GetBoolean(2))));
        foreach (var notParked in new[] { $"{ids[1]}", $"{sequence[2]}", "999999" })
        {
            var missing = await Command(configuration, "retry", "--id", notParked);
            Assert.Equal(1, missing.Exit);
            Assert.Contains($"outbox: no parked row has the id {notParked}", missing.Output);
        }

        Assert.Contains("re-queued 1;", (await Command(configuration, "retry", "--all")).Output);
        Assert.Equal(0, await _sql.Count("outbox_messages", "parked_at IS NOT NULL"));
        Assert.Equal([0, 0, 2], await _sql.Query("SELECT attempts FROM outbox_messages ORDER BY sequence_number", r => r.GetInt32(0)));
        Assert.Equal((0, "re-queued 0; the delivery service sends them on its next poll\n"), await Command(configuration, "retry", "--all"));
    }

    internal static IConfiguration Configuration(string connectionString) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Payments"] = connectionString }).Build();

    Task<(int Exit, string Output)> Command(IConfiguration configuration, params string[] args) => Run(output, configuration, args);

    /// <summary>Runs the verb as the worker's Main would, output and errors in one text, and shows both in the test's output.</summary>
    internal static async Task<(int Exit, string Output)> Run(ITestOutputHelper output, IConfiguration configuration, params string[] args)
    {
        var writer = new StringWriter();
        var exit = await OutboxCommand.Run(args, configuration, writer);
        output.WriteLine($"outbox {string.Join(' ', args)} → {exit}\n{writer}");
        return (exit, writer.ToString());
    }
}
