using System.Globalization;
using System.Text.Json;
using Amazon.SQS.Model;

namespace Payments.Aws.DeadLetters;

/// <summary>A dead letter as an operator reads it: ids, receive count, sent time, message type and a one-line excerpt.</summary>
static class DeadLetterDescription
{
    const int ExcerptLength = 160;

    public static DeadLetter Of(Message message)
    {
        var system = message.Attributes ?? [];
        int? receives = system.TryGetValue("ApproximateReceiveCount", out var r) && int.TryParse(r, CultureInfo.InvariantCulture, out var rc) ? rc : null;
        DateTimeOffset? sentAt = system.TryGetValue("SentTimestamp", out var s) && long.TryParse(s, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

        string? envelopeId = null, messageType = null;
        var excerptSource = message.Body ?? "";
        try
        {
            using var document = JsonDocument.Parse(excerptSource);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = document.RootElement;
                if (root.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String)
                    envelopeId = id.GetString();
                if (root.TryGetProperty("messageType", out var type))
                    messageType = type.ValueKind switch
                    {
                        JsonValueKind.Array => type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()).FirstOrDefault(),
                        JsonValueKind.String => type.GetString(),
                        _ => null,
                    };
                if (root.TryGetProperty("message", out var inner))
                    excerptSource = inner.GetRawText();
            }
        }
        catch (JsonException)
        {
            // Not a MassTransit envelope: show the raw body.
        }
        return new DeadLetter(message.MessageId, envelopeId, receives, sentAt, messageType, Excerpt(excerptSource));
    }

    static string Excerpt(string text)
    {
        var oneLine = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= ExcerptLength ? oneLine : oneLine[..ExcerptLength] + "...";
    }
}
