using MassTransit;
using Payments.Contracts;
using Payments.Processing.Endpoints;
using Payments.Sagas;

namespace Payments.Processing.PaymentSaga;

public sealed class PaymentStateMachineDefinition : SagaDefinition<PaymentState>
{
    public PaymentStateMachineDefinition()
    {
        EndpointName = EndpointNames.PaymentSaga;
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<PaymentState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Messages for one payment queue up in one partition instead of piling onto its row lock.
        var partitioner = endpointConfigurator.CreatePartitioner(ConcurrentMessageLimit ?? 32);
        foreach (var message in ProcessingEndpoints.PaymentSaga.Messages)
            message.PartitionByPayment(sagaConfigurator, partitioner);
    }
}
