using MassTransit;
using MassTransit.Logging;
using MassTransit.Middleware;

namespace Payments.Outbox;

/// <summary>
/// Re-sends a stored message as MassTransit's <see cref="OutboxMessageSendPipe"/> does (original MessageId, headers and
/// envelope), then puts back the trace parent delivery stamped on the row: the envelope still holds the one from when the
/// row was written, and the transport's send span would hang under that instead of under delivery's span.
/// </summary>
public sealed class OutboxRowSendPipe(OutboxMessage message, Uri destination) : IPipe<SendContext>
{
    readonly OutboxMessageSendPipe _resend = new(message, destination);

    public async Task Send(SendContext context)
    {
        await _resend.Send(context);
        if (message.TextHeader(DiagnosticHeaders.ActivityId) is { Length: > 0 } parent)
            context.Headers.Set(DiagnosticHeaders.ActivityId, parent);
    }

    public void Probe(ProbeContext context) => _resend.Probe(context);
}
