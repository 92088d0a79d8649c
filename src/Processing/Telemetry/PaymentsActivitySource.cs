using System.Diagnostics;

namespace Payments.Processing.Telemetry;

/// <summary>
/// Our own spans, for what MassTransit does not trace itself: outbox delivery (<c>outbox process</c>) and EventBridge
/// <c>PutEvents</c>. Named like the meter, so a host exports both by one name.
/// </summary>
public static class PaymentsActivitySource
{
    public const string Name = PaymentsMeter.Name;

    public static readonly ActivitySource Source = new(Name);
}
