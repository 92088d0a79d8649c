using MassTransit;
using Payments.Contracts;
using Payments.Processing.Endpoints;
using Payments.Sagas;

namespace Payments.Processing.Refunds;

public sealed class RefundStateMachineDefinition : SagaDefinition<RefundState>
{
    public RefundStateMachineDefinition()
    {
        EndpointName = EndpointNames.RefundSaga;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<RefundState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Messages for one refund queue up in one partition instead of piling onto its row lock.
        var partitioner = endpointConfigurator.CreatePartitioner(ConcurrentMessageLimit ?? 16);
        foreach (var message in ProcessingEndpoints.RefundSaga.Messages)
            message.PartitionByPayment(sagaConfigurator, partitioner);
    }
}
