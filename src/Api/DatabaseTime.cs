namespace Payments.Api;

static class DatabaseTime
{
    /// <summary>Now, to the microsecond Postgres keeps: a 201 body and every later read of the row agree.</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.UtcTicks % 10));
    }
}
