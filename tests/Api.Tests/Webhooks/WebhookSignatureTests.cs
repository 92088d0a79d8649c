using Microsoft.Extensions.Time.Testing;
using StandardWebhooks.Diagnostics;
using Payments.TestSupport;

namespace Payments.Api.Tests.Webhooks;

/// <summary>During a rotation's grace both secrets sign, each signature verifying alone; after it only the new one.</summary>
public class WebhookSignatureTests : IAsyncLifetime
{
    readonly FakeTimeProvider _time = WebhookHost.NewClock();
    WebhookHost _host = null!;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _host = await WebhookHost.Start(_time);
        _receiver = await WebhookReceiver.Start();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Both_secrets_sign_during_the_grace_and_only_the_new_one_after_it()
    {
        var (current, previous) = (WebhookHost.NewSecret(), WebhookHost.NewSecret());
        var graceEnds = _time.GetUtcNow() + TimeSpan.FromHours(24);
        var endpoint = await _host.InsertEndpoint(Guid.NewGuid(), _receiver.Url, current, previousSecret: previous, previousExpiresAt: graceEnds);

        await _host.InsertDelivery(endpoint, _time.GetUtcNow());
        await _host.DeliverDue();
        var during = Assert.Single(_receiver.Received);
        Assert.Equal(2, during.Signatures.Length);
        // StandardWebhooks 1.1.2's Verify reads only the first of two signatures (its loop ends when the last space is
        // passed), so each is checked on its own, as a receiver on that package must do during a rotation.
        during.Verify(current);
        during.VerifyOnly(during.Signatures[0], current);
        during.VerifyOnly(during.Signatures[1], previous);
        Assert.Throws<WebhookVerificationException>(() => during.VerifyOnly(during.Signatures[0], previous));
        Assert.Throws<WebhookVerificationException>(() => during.Verify(WebhookHost.NewSecret()));

        _time.SetUtcNow(graceEnds);
        await _host.InsertDelivery(endpoint, _time.GetUtcNow());
        await _host.DeliverDue();
        var after = (await _receiver.WaitFor(2))[1];
        Assert.Single(after.Signatures);
        after.Verify(current);
        Assert.Throws<WebhookVerificationException>(() => after.Verify(previous));
    }

    [Fact]
    public async Task A_tampered_body_does_not_verify()
    {
        var secret = WebhookHost.NewSecret();
        var endpoint = await _host.InsertEndpoint(Guid.NewGuid(), _receiver.Url, secret);
        await _host.InsertDelivery(endpoint, _time.GetUtcNow());
        await _host.DeliverDue();

        var webhook = Assert.Single(_receiver.Received);
        webhook.Verify(secret);
        Assert.Throws<WebhookVerificationException>(() => (webhook with { Body = webhook.Body.Replace("succeeded", "failed") }).Verify(secret));
    }
}
