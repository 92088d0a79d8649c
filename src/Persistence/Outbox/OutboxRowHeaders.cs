using MassTransit;
using Payments.Outbox;

namespace Payments.Persistence.Outbox;

/// <summary>
/// Headers a message handed over by a transport that keeps nothing over a crash carries, so that its consumers can delete
/// its row in their inbox transaction: the row's sequence number and how many consumers must have consumed it first.
/// </summary>
public static class OutboxRowHeaders
{
    public const string Row = "Payments-Outbox-Row";
    public const string Receivers = "Payments-Outbox-Receivers";

    public static void Stamp(OutboxMessage row, int receivers)
    {
        row.SetHeader(Row, row.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        row.SetHeader(Receivers, receivers.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The row a received message came from, and how many consumers it waits for; null when it came some other way.</summary>
    public static (long SequenceNumber, int Receivers)? Read(Headers headers) =>
        Number(headers, Row) is { } row && Number(headers, Receivers) is { } receivers ? (row, (int)receivers) : null;

    static long? Number(Headers headers, string key) =>
        headers.TryGetHeader(key, out var value) && long.TryParse(value?.ToString(), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
