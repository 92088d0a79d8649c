namespace Payments.Processing;

/// <summary>
/// Implemented by an adapter's exceptions that say whether the same call may succeed later (throttling, a 5xx, no
/// answer): consumers retry those quickly and let everything else fault.
/// </summary>
public interface ITransientFailure
{
    bool IsTransient { get; }
}
