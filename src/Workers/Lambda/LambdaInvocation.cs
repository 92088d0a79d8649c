namespace Payments.Workers.Lambda;

/// <summary>One event from <c>GET /runtime/invocation/next</c>.</summary>
/// <param name="Deadline">From <c>Lambda-Runtime-Deadline-Ms</c>; null when the header is missing.</param>
public sealed record LambdaInvocation(string RequestId, DateTimeOffset? Deadline, string Body);

/// <summary>The Runtime API refused a request or answered something the runtime cannot use.</summary>
public sealed class LambdaRuntimeApiException(string message) : Exception(message);
