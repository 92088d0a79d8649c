using Payments.Aws.Sqs;

namespace Payments.Aws.Tests;

public sealed class SqsReceiptBatcherTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Handles_added_while_a_call_is_out_go_together_in_the_next_ten_at_most_and_each_caller_learns_its_own_failure()
    {
        var calls = new List<string[]>();
        var firstCallOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letFirstCallReturn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new SqsReceiptBatcher(async entries =>
        {
            lock (calls)
                calls.Add(entries.Select(e => e.ReceiptHandle).ToArray());
            if (firstCallOut.TrySetResult())
                await letFirstCallReturn.Task;
            return entries.Where(e => e.ReceiptHandle == "h5").ToDictionary(e => e.Id, _ => "ReceiptHandleIsInvalid gone");
        });
        var running = batcher.Run();

        var first = batcher.Add("h0");
        await firstCallOut.Task.WaitAsync(Timeout);
        var waiting = Enumerable.Range(1, 11).Select(i => batcher.Add($"h{i}")).ToList();
        letFirstCallReturn.SetResult();
        var answers = await Task.WhenAll([first, .. waiting]).WaitAsync(Timeout);
        batcher.Complete();
        await running.WaitAsync(Timeout);

        Assert.Equal([["h0"], ["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10"], ["h11"]], calls);
        Assert.Equal("ReceiptHandleIsInvalid gone", answers[5]);
        Assert.All(answers.Where((_, i) => i != 5), Assert.Null);
    }

    [Fact]
    public async Task A_call_that_throws_fails_every_entry_in_it_and_the_next_call_still_goes()
    {
        var calls = 0;
        var batcher = new SqsReceiptBatcher(_ => ++calls == 1
            ? throw new InvalidOperationException("SQS is down")
            : Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>()));
        var running = batcher.Run();

        Assert.Equal("InvalidOperationException: SQS is down", await batcher.Add("h0").WaitAsync(Timeout));
        Assert.Null(await batcher.Add("h1").WaitAsync(Timeout));
        batcher.Complete();
        await running.WaitAsync(Timeout);
    }
}
