using System.ComponentModel.DataAnnotations;

namespace Payments.Processing.Gateway;

public class FakeGatewayOptions
{
    public const string Section = "Payments:FakeGateway";

    /// <summary>Amounts whose last two digits equal this are declined ("insufficient funds"), like test cards.</summary>
    [Range(0, 99)]
    public int? DeclineWhenAmountEndsWith { get; set; } = 51;

    /// <summary>Amounts above this are declined ("over card limit").</summary>
    [Range(1, long.MaxValue)]
    public long? DeclineAbove { get; set; }

    /// <summary>Share of calls that fail before charging (connection refused, 503).</summary>
    [Range(0.0, 1.0)]
    public double TransientFailureRate { get; set; }

    /// <summary>Share of calls that charge but whose answer is lost (read timeout): the worst case for double charging.</summary>
    [Range(0.0, 1.0)]
    public double TimeoutRate { get; set; }

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Postgres database where the fake gateway keeps its ledger, so that it outlives worker processes (as a real
    /// gateway's does) — for runs that kill workers. Empty: the ledger lives in the worker's memory.
    /// </summary>
    public string? LedgerConnectionString { get; set; }

    /// <summary>How long the worker waits for the gateway before treating the call as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
