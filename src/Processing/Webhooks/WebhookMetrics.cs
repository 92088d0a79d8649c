using System.Diagnostics.Metrics;
using Payments.Processing.Telemetry;

namespace Payments.Processing.Webhooks;

/// <summary>
/// Webhook delivery on the <c>Payments</c> meter: attempts by outcome, and the pending deliveries at the sender's last
/// measurement (a gauge that reports nothing before the first one).
/// </summary>
public sealed class WebhookMetrics
{
    readonly Counter<long> _attempts;
    long _pending = -1; // none measured yet

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PaymentsMeter.Name);
        _attempts = meter.CreateCounter<long>(PaymentsMeter.WebhookAttempts, "{attempt}",
            "Webhook delivery attempts, by outcome: succeeded (2xx), failed (any other answer), unanswered (refused address, no connection, timeout)");
        meter.CreateObservableGauge(PaymentsMeter.WebhooksPending, () => Interlocked.Read(ref _pending) is var pending and >= 0 ? [new Measurement<long>(pending)] : Array.Empty<Measurement<long>>(),
            "{delivery}", "Webhook deliveries waiting for a first or further attempt, at the last measurement");
    }

    public void Attempted(WebhookAttempt attempt) =>
        _attempts.Add(1, new KeyValuePair<string, object?>(PaymentsMeter.OutcomeTag,
            attempt.Succeeded ? "succeeded" : attempt.StatusCode is null ? "unanswered" : "failed"));

    public void PendingNow(long pending) => Interlocked.Exchange(ref _pending, pending);
}
