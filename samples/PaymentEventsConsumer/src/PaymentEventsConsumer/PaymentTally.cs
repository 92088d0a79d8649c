namespace PaymentEventsConsumer;

/// <summary>What the sample does with the events: counts outcomes and sums their amounts per currency.</summary>
public sealed class PaymentTally
{
    readonly Lock _lock = new();
    readonly Dictionary<string, CurrencyTally> _byCurrency = new(StringComparer.Ordinal);

    public CurrencyTally Succeeded(string currency, long amount) =>
        Update(currency, t => t with { Succeeded = t.Succeeded + 1, SucceededAmount = t.SucceededAmount + amount });

    public CurrencyTally Failed(string currency, long amount) =>
        Update(currency, t => t with { Failed = t.Failed + 1, FailedAmount = t.FailedAmount + amount });

    public CurrencyTally For(string currency)
    {
        lock (_lock)
            return _byCurrency.GetValueOrDefault(currency) ?? new CurrencyTally(currency, 0, 0, 0, 0);
    }

    CurrencyTally Update(string currency, Func<CurrencyTally, CurrencyTally> change)
    {
        lock (_lock)
        {
            var updated = change(_byCurrency.GetValueOrDefault(currency) ?? new CurrencyTally(currency, 0, 0, 0, 0));
            _byCurrency[currency] = updated;
            return updated;
        }
    }
}

/// <param name="SucceededAmount">In minor units, as the events carry amounts.</param>
public sealed record CurrencyTally(string Currency, int Succeeded, long SucceededAmount, int Failed, long FailedAmount)
{
    public override string ToString() =>
        $"{Currency}: {Succeeded} succeeded ({SucceededAmount}), {Failed} failed ({FailedAmount})";
}
