using MassTransit;

namespace Payments.Sagas;

/// <summary>
/// Entering SUCCESS or FAILED: the payment row takes the public status and the payment's waiting timers are dropped,
/// through <see cref="IPaymentCompletion"/>, in the transaction that commits the terminal state.
/// </summary>
public sealed class CompletePaymentActivity(IPaymentCompletion completion) : IStateMachineActivity<PaymentState>
{
    public void Probe(ProbeContext context) => context.CreateScope("complete-payment");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    public async Task Execute(BehaviorContext<PaymentState> context, IBehavior<PaymentState> next)
    {
        await Complete(context);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<PaymentState, T> context, IBehavior<PaymentState, T> next)
        where T : class
    {
        await Complete(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<PaymentState, TException> context, IBehavior<PaymentState> next)
        where TException : Exception =>
        next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<PaymentState, T, TException> context, IBehavior<PaymentState, T> next)
        where T : class
        where TException : Exception =>
        next.Faulted(context);

    Task Complete(BehaviorContext<PaymentState> context) =>
        completion.Complete(context.Saga, PaymentStateMachine.PublicStatusOf(context.Saga.CurrentState), context.CancellationToken);
}
