using Microsoft.Extensions.Options;
using Payments.Persistence.Payments;

namespace Payments.Api.Admission;

/// <summary>
/// Admission control for new payments: refuses them while the backlog of payments the saga has not started yet is at
/// <see cref="AdmissionOptions.MaxBacklog"/>, so that under more load than the backend can take the API stops
/// taking the CPU from it instead of piling up work. The backlog is measured every
/// <see cref="AdmissionOptions.MeasureInterval"/> (never per request); in between, what this process admitted since is
/// added, so a burst cannot overshoot the bound until the next measurement. Only a request that would create a payment
/// asks: a replay is answered whatever the backlog.
/// </summary>
public sealed partial class PaymentAdmission(IServiceScopeFactory scopeFactory, IOptions<AdmissionOptions> options, ILogger<PaymentAdmission> logger)
    : BackgroundService
{
    readonly AdmissionOptions _options = options.Value;
    long _measured;
    long _admittedSinceMeasured;
    bool _shedding;

    public int RetryAfterSeconds => _options.RetryAfterSeconds;

    /// <summary>Whether one more payment may be created now; counts it when it may.</summary>
    public bool TryAdmit()
    {
        if (!_options.Enabled)
            return true;
        var admitted = Interlocked.Increment(ref _admittedSinceMeasured);
        if (Volatile.Read(ref _measured) + admitted <= _options.MaxBacklog)
            return true;
        Interlocked.Decrement(ref _admittedSinceMeasured);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
            return;
        using var timer = new PeriodicTimer(_options.MeasureInterval);
        try
        {
            do
            {
                try
                {
                    await Measure(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // The last measurement stands: failures come with overload as often as with outages.
                    LogMeasureFailed(logger, exception);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task Measure(CancellationToken cancellationToken)
    {
        // Admissions from here on may or may not be in the count: keep them (counted twice at worst, never missed).
        var admittedBefore = Interlocked.Read(ref _admittedSinceMeasured);
        await using var scope = scopeFactory.CreateAsyncScope();
        var backlog = await scope.ServiceProvider.GetRequiredService<PaymentsAwaitingSaga>().Count(_options.MaxBacklog, cancellationToken);
        Volatile.Write(ref _measured, backlog);
        Interlocked.Add(ref _admittedSinceMeasured, -admittedBefore);

        var shedding = backlog >= _options.MaxBacklog;
        if (shedding == _shedding)
            return;
        _shedding = shedding;
        if (shedding)
            LogShedding(logger, _options.MaxBacklog);
        else
            LogAdmitting(logger, backlog, _options.MaxBacklog);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing new payments (503): {MaxBacklog} or more payments wait for the saga")]
    static partial void LogShedding(ILogger logger, int maxBacklog);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admitting new payments again: {Backlog} wait for the saga (bound {MaxBacklog})")]
    static partial void LogAdmitting(ILogger logger, long backlog, int maxBacklog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not measure the payment backlog; admission keeps the last measurement")]
    static partial void LogMeasureFailed(ILogger logger, Exception exception);
}
