using Amazon.Runtime;
using Amazon.SQS;

namespace Payments.TestSupport;

/// <summary>
/// The local SQS/SNS emulator (fauxqs) that scripts/test.sh starts on 127.0.0.1. It keeps all queues in one
/// process for the whole run, so tests name their queues with <see cref="UniqueName"/> to run in parallel.
/// </summary>
public static class TestSqs
{
    public static string ServiceUrl =>
        Environment.GetEnvironmentVariable("PAYMENTS_TEST_SQS") is { Length: > 0 } url
            ? url
            : throw new InvalidOperationException(
                "PAYMENTS_TEST_SQS is not set. Run the tests with scripts/test.sh, which starts a throwaway SQS emulator " +
                "(or start one with scripts/sqs-emulator.sh start <dir> and set PAYMENTS_TEST_SQS=http://127.0.0.1:<port>).");

    /// <summary>A real AWSSDK.SQS client pointed at the emulator. Queue URLs come back with a
    /// sqs.us-east-1.localhost host; requests still go to <see cref="ServiceUrl"/>.</summary>
    public static AmazonSQSClient CreateClient() =>
        new(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig
        {
            ServiceURL = ServiceUrl,
            AuthenticationRegion = "us-east-1",
        });

    /// <summary>A queue or topic name unique to this call: letters, digits, '-' and '_' only, at most 73 characters
    /// (SQS allows 80, and a ".fifo" suffix must still fit).</summary>
    public static string UniqueName(string prefix)
    {
        var clean = new string(prefix.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
        if (clean.Length > 40)
            clean = clean[..40];
        return $"{clean}-{Guid.NewGuid():N}";
    }
}
