using Payments.Processing.Endpoints;

namespace Payments.Messaging;

/// <summary>Sets every consumed message's CorrelationId to its payment id, for tracing and log scopes.</summary>
static class PaymentCorrelation
{
    public static void Configure()
    {
        foreach (var message in ProcessingEndpoints.All.SelectMany(e => e.Messages))
            message.UsePaymentAsCorrelationId();
    }
}
