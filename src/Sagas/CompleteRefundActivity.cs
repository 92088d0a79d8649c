using MassTransit;

namespace Payments.Sagas;

/// <summary>
/// Entering SUCCEEDED or FAILED: the refund row takes the status and the payment its amount, through
/// <see cref="IRefundCompletion"/>, in the transaction that commits the terminal state.
/// </summary>
public sealed class CompleteRefundActivity(IRefundCompletion completion) : IStateMachineActivity<RefundState>
{
    public void Probe(ProbeContext context) => context.CreateScope("complete-refund");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    public async Task Execute(BehaviorContext<RefundState> context, IBehavior<RefundState> next)
    {
        await Complete(context);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<RefundState, T> context, IBehavior<RefundState, T> next)
        where T : class
    {
        await Complete(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<RefundState, TException> context, IBehavior<RefundState> next)
        where TException : Exception =>
        next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<RefundState, T, TException> context, IBehavior<RefundState, T> next)
        where T : class
        where TException : Exception =>
        next.Faulted(context);

    Task Complete(BehaviorContext<RefundState> context) =>
        completion.Complete(context.Saga, RefundStateMachine.StatusOf(context.Saga.CurrentState), context.CancellationToken);
}
