using MassTransit;
using Payments.Contracts;

namespace Payments.Processing.Refunds;

public sealed class RefundChargeConsumerDefinition : ConsumerDefinition<RefundChargeConsumer>
{
    public RefundChargeConsumerDefinition()
    {
        EndpointName = EndpointNames.RefundCharge;
        // Gateway calls are slow I/O: several in flight, bounded so a slow gateway cannot exhaust the DB pool.
        ConcurrentMessageLimit = 16;
    }
}
