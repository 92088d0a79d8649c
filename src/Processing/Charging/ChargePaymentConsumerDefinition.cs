using MassTransit;
using Payments.Contracts;

namespace Payments.Processing.Charging;

public sealed class ChargePaymentConsumerDefinition : ConsumerDefinition<ChargePaymentConsumer>
{
    public ChargePaymentConsumerDefinition()
    {
        EndpointName = EndpointNames.ChargePayment;
        // Gateway calls are slow I/O: keep many in flight, but bounded so a slow gateway cannot exhaust the DB pool.
        ConcurrentMessageLimit = 64;
    }
}
