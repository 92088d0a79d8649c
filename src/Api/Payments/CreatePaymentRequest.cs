using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Payments.Api.Payments;

/// <summary>The body of <c>POST /payments</c>, as documented in the OpenAPI description.</summary>
public record CreatePaymentRequest(Guid UserId, long Amount, string Currency, string? Description, Dictionary<string, string>? Metadata)
{
    static readonly HashSet<string> KnownFields = ["user_id", "amount", "currency", "description", "metadata"];

    /// <summary>
    /// Reads and validates the JSON body field by field, so that each error names its field and a body is
    /// either fully valid or rejected whole. Returns null with <paramref name="errors"/> filled when invalid.
    /// </summary>
    public static CreatePaymentRequest? Parse(JsonElement body, PaymentRules rules, out Dictionary<string, string[]> errors)
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

        var userId = ReadUserId(body, Error);
        var amount = ReadAmount(body, rules, Error);
        var currency = ReadCurrency(body, rules, Error);
        var description = ReadDescription(body, rules, Error);
        var metadata = ReadMetadata(body, rules, Error);

        if (problems.Count > 0)
        {
            errors = problems.ToDictionary(x => x.Key, x => x.Value.ToArray());
            return null;
        }
        return new CreatePaymentRequest(userId, amount, currency!, description, metadata);
    }

    /// <summary>Fingerprint of the request's meaning (not its bytes), to tell a retry from a different request.</summary>
    public byte[] Fingerprint()
    {
        var sb = new StringBuilder();
        void Part(string? value) => sb.Append(value is null ? "-1" : value.Length.ToString()).Append(':').Append(value).Append('|');
        Part(UserId.ToString("N"));
        Part(Amount.ToString());
        Part(Currency);
        Part(Description);
        foreach (var (key, value) in (Metadata ?? []).OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            Part(key);
            Part(value);
        }
        return SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    static Guid ReadUserId(JsonElement body, Action<string, string> error)
    {
        if (!body.TryGetProperty("user_id", out var value) || value.ValueKind == JsonValueKind.Null)
            error("user_id", "is required");
        else if (value.ValueKind != JsonValueKind.String || !Guid.TryParseExact(value.GetString(), "D", out var id))
            error("user_id", "must be a UUID string like 3f0c6b1e-8a34-4c53-9d55-2a1f7c6b9e10");
        else if (id == Guid.Empty)
            error("user_id", "must not be the nil UUID");
        else
            return id;
        return Guid.Empty;
    }

    static long ReadAmount(JsonElement body, PaymentRules rules, Action<string, string> error)
    {
        var limit = $"must be a whole number of minor units between 1 and {rules.MaxAmount}";
        if (!body.TryGetProperty("amount", out var value) || value.ValueKind == JsonValueKind.Null)
            error("amount", "is required");
        else if (value.ValueKind != JsonValueKind.Number)
            error("amount", limit + " (a JSON number, not a string)");
        else if (!IsPlainInteger(value.GetRawText()) || !value.TryGetInt64(out var amount))
            error("amount", limit + " (no fraction, exponent or overflow)");
        else if (amount < 1 || amount > rules.MaxAmount)
            error("amount", limit);
        else
            return amount;
        return 0;
    }

    // "100.0" and "1e2" are numerically whole but say something else about the client's money handling.
    static bool IsPlainInteger(string raw) => raw.All(c => char.IsAsciiDigit(c) || c == '-');

    static string? ReadCurrency(JsonElement body, PaymentRules rules, Action<string, string> error)
    {
        if (!body.TryGetProperty("currency", out var value) || value.ValueKind == JsonValueKind.Null)
            error("currency", "is required");
        else if (value.ValueKind != JsonValueKind.String)
            error("currency", "must be an ISO 4217 code string");
        else if (value.GetString() is not { Length: 3 } code || !code.All(char.IsAsciiLetterUpper))
            error("currency", "must be a three-letter upper-case ISO 4217 code");
        else if (!rules.Currencies.Contains(code))
            error("currency", $"is not supported; use one of {string.Join(", ", rules.Currencies)}");
        else
            return code;
        return null;
    }

    static string? ReadDescription(JsonElement body, PaymentRules rules, Action<string, string> error)
    {
        if (!body.TryGetProperty("description", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            error("description", "must be a string");
        else if (value.GetString()!.Length > rules.MaxDescriptionLength)
            error("description", $"must be at most {rules.MaxDescriptionLength} characters");
        else if (value.GetString()!.Any(char.IsControl))
            error("description", "must not contain control characters");
        else
            return value.GetString();
        return null;
    }

    static Dictionary<string, string>? ReadMetadata(JsonElement body, PaymentRules rules, Action<string, string> error)
    {
        if (!body.TryGetProperty("metadata", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            error("metadata", "must be an object of string values");
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            var field = $"metadata.{entry.Name}";
            if (entry.Name.Length == 0 || entry.Name.Length > rules.MaxMetadataKeyLength || entry.Name.Any(char.IsControl))
                error("metadata", $"keys must be 1 to {rules.MaxMetadataKeyLength} characters without control characters");
            else if (entry.Value.ValueKind != JsonValueKind.String)
                error(field, "must be a string");
            else if (entry.Value.GetString()!.Length > rules.MaxMetadataValueLength)
                error(field, $"must be at most {rules.MaxMetadataValueLength} characters");
            else if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                error(field, "appears more than once");
        }
        if (metadata.Count > rules.MaxMetadataEntries)
            error("metadata", $"must have at most {rules.MaxMetadataEntries} entries");
        return metadata;
    }
}
