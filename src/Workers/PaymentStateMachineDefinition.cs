using MassTransit;
using Payments.Contracts;
using Payments.Sagas;

namespace Payments.Workers;

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
        sagaConfigurator.Message<Payments.Contracts.PaymentRequested>(x => x.UsePartitioner(partitioner, m => m.Message.PaymentId));
        sagaConfigurator.Message<PaymentCharged>(x => x.UsePartitioner(partitioner, m => m.Message.PaymentId));
        sagaConfigurator.Message<PaymentDeclined>(x => x.UsePartitioner(partitioner, m => m.Message.PaymentId));
        sagaConfigurator.Message<PaymentChargeFailed>(x => x.UsePartitioner(partitioner, m => m.Message.PaymentId));
        sagaConfigurator.Message<ChargeTimeoutExpired>(x => x.UsePartitioner(partitioner, m => m.Message.PaymentId));
        sagaConfigurator.Message<ChargeRetryDue>(x => x.UsePartitioner(partitioner, m => m.Message.PaymentId));
    }
}
