using Payments.Api.Problems;
using Payments.Persistence.Idempotency;

namespace Payments.Api.Payments;

/// <summary>The answer to an idempotent create (<c>POST /payments</c>, <c>POST /webhook-endpoints</c>), whatever became of it.</summary>
public static class CreationResults
{
    /// <summary>A request holds its key for one short transaction: a second is plenty before retrying.</summary>
    public const int RetryAfterSeconds = 1;

    public static IResult ToHttpResult(this CreationResult result) => result.Outcome switch
    {
        CreationOutcome.InProgress => ApiProblems.RequestInProgress(RetryAfterSeconds),
        CreationOutcome.KeyReused => ApiProblems.IdempotencyKeyReused(),
        CreationOutcome.Refused or CreationOutcome.Shed => throw new InvalidOperationException($"{result.Outcome} is answered by the operation that refused"),
        var outcome => new StoredResponse(result.Status, result.Body, result.Location, replayed: outcome == CreationOutcome.Replayed),
    };
}
