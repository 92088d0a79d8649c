using Microsoft.Extensions.Primitives;

namespace Payments.Api.Payments;

/// <summary>The <c>Idempotency-Key</c> request header (IETF httpapi draft): one value of visible ASCII.</summary>
public static class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>
    /// What <see cref="Read"/> accepts, as a regular expression for the OpenAPI document: a quoted key, or a key that is
    /// not quoted (anything from '"' to '"' counts as quoted), each of 1 to <see cref="MaxLength"/> visible ASCII characters.
    /// </summary>
    public static readonly string Pattern = $"^(?:\"[!-~]{{1,{MaxLength}}}\"|(?!\"[!-~]*\"$)[!-~]{{1,{MaxLength}}})$";

    public enum Outcome { Valid, Missing, Malformed }

    public static Outcome Read(IHeaderDictionary headers, out string key)
    {
        key = "";
        if (!headers.TryGetValue(Name, out StringValues values) || values.Count == 0)
            return Outcome.Missing;
        if (values.Count > 1)
            return Outcome.Malformed;

        var value = values[0] ?? "";
        // The draft sends the key as an sf-string; accept both "key" and key.
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            value = value[1..^1];
        if (value.Length is 0 or > MaxLength || value.Any(c => c is < '!' or > '~'))
            return Outcome.Malformed;

        key = value;
        return Outcome.Valid;
    }
}
