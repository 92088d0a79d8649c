using System.ComponentModel.DataAnnotations;

namespace Payments.Api.Admission;

/// <summary>Admission control on <c>POST /payments</c> (<see cref="PaymentAdmission"/>).</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Payments:Admission";

    /// <summary>Off: every valid request is admitted however far behind the backend is.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Payments accepted and not yet finished (PENDING) beyond which new payments are refused with 503. A bound in
    /// payments rather than seconds: at the all-in-one backend's ~130 payments/s on 2 cores, 2000 is about 15 s of work.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBacklog { get; set; } = 2000;

    /// <summary>How often the backlog is measured; between two measurements this process adds what it admitted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan MeasureInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The <c>Retry-After</c> a refused request is given.</summary>
    [Range(1, 300)]
    public int RetryAfterSeconds { get; set; } = 2;
}
