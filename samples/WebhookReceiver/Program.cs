// A merchant's webhook receiver, as small as it can honestly be: it verifies each delivery's Standard Webhooks
// signature with the StandardWebhooks package, drops a webhook-id it has already handled, and prints the event.
//   dotnet run --project samples/WebhookReceiver -- --port 5190 --secret whsec_...
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

var builder = WebApplication.CreateSlimBuilder(args);
var port = builder.Configuration.GetValue("port", 5190);
var secret = builder.Configuration["secret"] ?? Environment.GetEnvironmentVariable("WEBHOOK_SECRET")
             ?? throw new InvalidOperationException("Give the endpoint's signing secret: --secret whsec_... (or WEBHOOK_SECRET)");
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
builder.Logging.ClearProviders();

var webhook = new StandardWebhook(secret);
// A real receiver records the id in the same transaction as the effect of the event; memory is enough for a sample.
var handled = new ConcurrentDictionary<string, bool>();

var app = builder.Build();
app.MapPost("/{**path}", async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync();
    var id = request.Headers["webhook-id"].ToString();
    if (Refusal(webhook, body, request.Headers) is { } refusal)
    {
        Console.WriteLine($"REFUSED {id}: {refusal}");
        return Results.StatusCode(StatusCodes.Status401Unauthorized);
    }

    if (!handled.TryAdd(id, true))
    {
        Console.WriteLine($"duplicate {id}: already handled, answered 200 again");
        return Results.Ok();
    }

    using var json = JsonDocument.Parse(body);
    var type = json.RootElement.GetProperty("type").GetString();
    var payment = json.RootElement.GetProperty("data");
    Console.WriteLine($"verified {id} {type}: payment {payment.GetProperty("id")} {payment.GetProperty("status")} " +
                      $"{payment.GetProperty("amount")} {payment.GetProperty("currency")}");
    return Results.Ok();
});

Console.WriteLine($"Receiving webhooks on http://127.0.0.1:{port}/ (Ctrl-C stops)");
await app.RunAsync();

// Null when one of the signatures is ours. During a secret rotation the header carries two, space-separated (the new
// secret's first), and StandardWebhooks 1.1.2's Verify reads only the first: so each is verified on its own.
static string? Refusal(StandardWebhook webhook, string body, IHeaderDictionary headers)
{
    var refusal = "no signature";
    foreach (var signature in headers["webhook-signature"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
    {
        var one = new HeaderDictionary
        {
            ["webhook-id"] = headers["webhook-id"],
            ["webhook-timestamp"] = headers["webhook-timestamp"],
            ["webhook-signature"] = signature,
        };
        try
        {
            webhook.Verify(body, one);
            return null;
        }
        catch (WebhookVerificationException e)
        {
            refusal = e.Message;
        }
    }
    return refusal;
}
