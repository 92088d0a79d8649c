using MassTransit;
using MassTransit.Middleware;

namespace Payments.Outbox;

/// <summary>
/// Re-sends a stored message as MassTransit's <see cref="OutboxMessageSendPipe"/> does (original MessageId, headers and
/// envelope), then puts back the headers delivery set on the row for this send (<see cref="OutboxMessage.SetHeader"/>):
/// the envelope still holds those of when the row was written. Among them the trace parent, so the transport's send span
/// hangs under delivery's span, and the row a consumer is to delete.
/// </summary>
public sealed class OutboxRowSendPipe(OutboxMessage message, Uri destination) : IPipe<SendContext>
{
    readonly OutboxMessageSendPipe _resend = new(message, destination);

    public async Task Send(SendContext context)
    {
        await _resend.Send(context);
        foreach (var (key, value) in message.HeadersSetForThisSend)
            if (value.Length > 0)
                context.Headers.Set(key, value);
    }

    public void Probe(ProbeContext context) => _resend.Probe(context);
}
