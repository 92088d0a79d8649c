namespace Payments.Api.Webhooks;

static class WebhookClock
{
    /// <summary>Now, to the microsecond Postgres keeps: an answer and every later read of the row agree.</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.UtcTicks % 10));
    }
}
