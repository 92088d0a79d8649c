using Microsoft.Extensions.Options;
using Payments.Persistence.Payments;

namespace Payments.Api.Admission;

/// <summary>
/// Admission control for new payments: refuses them while the payments accepted and not yet finished are at
/// <see cref="AdmissionOptions.MaxBacklog"/>, so that under more load than the backend can take the API stops taking
/// the CPU and the database from it instead of piling up work. The backlog is measured every
/// <see cref="AdmissionOptions.MeasureInterval"/> (never per request); to it are added the payments this process is
/// creating and has created since, so a burst cannot pass the bound before the next measurement. Only a request that
/// would create a payment asks (<see cref="Ticket"/>): a replay is answered whatever the backlog.
/// </summary>
public sealed partial class PaymentAdmission(IServiceScopeFactory scopeFactory, IOptions<AdmissionOptions> options, ILogger<PaymentAdmission> logger)
    : BackgroundService
{
    readonly AdmissionOptions _options = options.Value;
    long _measured;
    long _creating;
    long _createdSinceMeasured;
    bool _shedding;

    public int RetryAfterSeconds => _options.RetryAfterSeconds;

    /// <summary>One request's admission: asked for at most once, given back when the request is done.</summary>
    public AdmissionTicket Ticket() => new(this);

    bool TryReserve()
    {
        if (!_options.Enabled)
            return true;
        var creating = Interlocked.Increment(ref _creating);
        if (Volatile.Read(ref _measured) + Interlocked.Read(ref _createdSinceMeasured) + creating <= _options.MaxBacklog)
            return true;
        Interlocked.Decrement(ref _creating);
        return false;
    }

    void Release(bool created)
    {
        if (!_options.Enabled)
            return;
        // Counted as created before it stops counting as in progress: never missing from the sum in between.
        if (created)
            Interlocked.Increment(ref _createdSinceMeasured);
        Interlocked.Decrement(ref _creating);
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
        // Payments created before this read committed before the count starts, so the count has them; those created after
        // stay added to it (counted twice at worst until the next measurement, never missed).
        var createdBefore = Interlocked.Read(ref _createdSinceMeasured);
        await using var scope = scopeFactory.CreateAsyncScope();
        var backlog = await scope.ServiceProvider.GetRequiredService<PaymentsInProgress>().Count(_options.MaxBacklog, cancellationToken);
        Volatile.Write(ref _measured, backlog);
        Interlocked.Add(ref _createdSinceMeasured, -createdBefore);

        var shedding = backlog >= _options.MaxBacklog;
        if (shedding == _shedding)
            return;
        _shedding = shedding;
        if (shedding)
            LogShedding(logger, _options.MaxBacklog);
        else
            LogAdmitting(logger, backlog, _options.MaxBacklog);
    }

    /// <summary>Reserves a place for one new payment (<see cref="TryTake"/>); disposing gives it back, counted as created or not.</summary>
    public sealed class AdmissionTicket(PaymentAdmission admission) : IDisposable
    {
        bool _taken;
        bool _created;

        public bool TryTake() => _taken = admission.TryReserve();

        public void Created() => _created = true;

        public void Dispose()
        {
            if (_taken)
                admission.Release(_created);
            _taken = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing new payments (503): {MaxBacklog} or more payments are in progress")]
    static partial void LogShedding(ILogger logger, int maxBacklog);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admitting new payments again: {Backlog} in progress (bound {MaxBacklog})")]
    static partial void LogAdmitting(ILogger logger, long backlog, int maxBacklog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not measure the payment backlog; admission keeps the last measurement")]
    static partial void LogMeasureFailed(ILogger logger, Exception exception);
}
