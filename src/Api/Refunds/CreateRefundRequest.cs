using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Payments.Api.Refunds;

/// <summary>The body of <c>POST /payments/{id}/refunds</c>: every field optional; no amount means all that remains refundable.</summary>
public record CreateRefundRequest(long? Amount, string? Currency, string? Reason)
{
    public const int MaxReasonLength = 255;

    static readonly HashSet<string> KnownFields = ["amount", "currency", "reason"];

    /// <summary>
    /// Reads the JSON body field by field (types and forms: a 400 naming each field); null with <paramref name="errors"/> filled
    /// when invalid. What a well-formed value says (an amount below 1) is judged by <see cref="Refusals"/>.
    /// </summary>
    public static CreateRefundRequest? Parse(JsonElement body, out Dictionary<string, string[]> errors)
    {
        var problems = new Dictionary<string, List<string>>();
        void Error(string field, string message) =>
            (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

        errors = [];
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return null;
        }

        var seen = new HashSet<string>();
        foreach (var property in body.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                Error(property.Name, "appears more than once");
            else if (!KnownFields.Contains(property.Name))
                Error(property.Name, "is not a known field");
        }

        var amount = ReadAmount(body, Error);
        var currency = ReadCurrency(body, Error);
        var reason = ReadReason(body, Error);
        if (problems.Count > 0)
        {
            errors = problems.ToDictionary(x => x.Key, x => x.Value.ToArray());
            return null;
        }
        return new CreateRefundRequest(amount, currency, reason);
    }

    /// <summary>Well-formed but refused for what it says (a 422); empty when acceptable before the payment is consulted.</summary>
    public Dictionary<string, string[]> Refusals() =>
        Amount < 1 ? new() { ["amount"] = ["must be at least 1 (minor units); omit it to refund all that remains"] } : [];

    /// <summary>
    /// Fingerprint of the request's meaning for <paramref name="paymentId"/>: the operation first, so the same key cannot replay
    /// a payment's or a webhook endpoint's answer as a refund's, nor one payment's refund as another's.
    /// </summary>
    public byte[] Fingerprint(Guid paymentId)
    {
        var sb = new StringBuilder("refund|");
        void Part(string? value) => sb.Append(value is null ? "-1" : value.Length.ToString()).Append(':').Append(value).Append('|');
        Part(paymentId.ToString("N"));
        Part(Amount?.ToString());
        Part(Currency);
        Part(Reason);
        return SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    static long? ReadAmount(JsonElement body, Action<string, string> error)
    {
        const string whole = "must be a whole number of minor units";
        if (!body.TryGetProperty("amount", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number)
            error("amount", whole + " (a JSON number, not a string)");
        else if (!value.GetRawText().All(c => char.IsAsciiDigit(c) || c == '-') || !value.TryGetInt64(out var amount))
            error("amount", whole + " (no fraction, exponent or overflow)");
        else
            return amount;
        return null;
    }

    static string? ReadCurrency(JsonElement body, Action<string, string> error)
    {
        if (!body.TryGetProperty("currency", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            error("currency", "must be an ISO 4217 code string");
        else if (value.GetString() is not { Length: 3 } code || !code.All(char.IsAsciiLetterUpper))
            error("currency", "must be a three-letter upper-case ISO 4217 code");
        else
            return code;
        return null;
    }

    static string? ReadReason(JsonElement body, Action<string, string> error)
    {
        if (!body.TryGetProperty("reason", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            error("reason", "must be a string");
        else if (value.GetString()!.Length > MaxReasonLength)
            error("reason", $"must be at most {MaxReasonLength} characters");
        else if (value.GetString()!.Any(char.IsControl))
            error("reason", "must not contain control characters");
        else
            return value.GetString();
        return null;
    }
}
