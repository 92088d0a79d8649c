using Microsoft.AspNetCore.Http;
using Payments.TestSupport;

namespace Payments.Aws.Tests.Reliability;

/// <summary>
/// The merchants' webhook endpoint in the chaos run: fails a fifth of first attempts with 500 (seeded), acknowledges the rest
/// with 204, and remembers which webhook-ids it acknowledged, so the run can tell a delivery marked succeeded without a 2xx.
/// </summary>
sealed class MerchantReceiver : IAsyncDisposable
{
    readonly Random _random;
    readonly HashSet<string> _seen = [];
    readonly HashSet<Guid> _acknowledged = [];
    WebhookReceiver _receiver = null!;
    int _failed, _duplicates;

    MerchantReceiver(Random random) => _random = random;

    public Uri Url => _receiver.Url;
    public int Requests => _receiver.Received.Count;
    public int Failed => Volatile.Read(ref _failed);
    public int Duplicates => Volatile.Read(ref _duplicates);

    public bool Acknowledged(Guid eventId)
    {
        lock (_seen) return _acknowledged.Contains(eventId);
    }

    public static async Task<MerchantReceiver> Start(Random random)
    {
        var merchant = new MerchantReceiver(random);
        merchant._receiver = await WebhookReceiver.Start((context, webhook) =>
        {
            context.Response.StatusCode = merchant.Answer(webhook.Id);
            return Task.CompletedTask;
        });
        return merchant;
    }

    int Answer(string webhookId)
    {
        lock (_seen)
        {
            if (_seen.Add(webhookId) && _random.NextDouble() < 0.2)
            {
                _failed++;
                return StatusCodes.Status500InternalServerError;
            }
            if (!_acknowledged.Add(Guid.Parse(webhookId)))
                _duplicates++;
            return StatusCodes.Status204NoContent;
        }
    }

    public ValueTask DisposeAsync() => _receiver.DisposeAsync();
}
