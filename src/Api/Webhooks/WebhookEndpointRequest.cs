using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Processing.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// The body of <c>POST /webhook-endpoints</c> (<c>url</c>, <c>event_types</c>, <c>description</c>?) and of <c>PATCH</c> (any of
/// those and <c>enabled</c>). Read in two steps: <see cref="Parse"/> checks the shape (a 400 names each field), then
/// <see cref="Refusals"/> checks what the values say — event types we know, a URL webhooks may go to (a 422 names each field).
/// </summary>
public sealed record WebhookEndpointRequest(string? Url, IReadOnlyList<string>? EventTypes, bool HasDescription, string? Description, bool? Enabled)
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 255;

    static readonly HashSet<string> CreateFields = ["url", "event_types", "description"];
    static readonly HashSet<string> ChangeFields = ["url", "event_types", "description", "enabled"];

    /// <summary>
    /// Reads the body's fields and their JSON types; null with <paramref name="errors"/> filled when the shape is wrong. A
    /// create needs <c>url</c> and <c>event_types</c>; a change needs at least one field.
    /// </summary>
    public static WebhookEndpointRequest? Parse(JsonElement body, bool create, out Dictionary<string, string[]> errors)
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

        var known = create ? CreateFields : ChangeFields;
        var seen = new HashSet<string>();
        foreach (var property in body.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                Error(property.Name, "appears more than once");
            else if (!known.Contains(property.Name))
                Error(property.Name, "is not a known field");
        }
        if (!create && seen.Count == 0)
            Error("body", $"must name at least one of {string.Join(", ", ChangeFields)}");

        var url = ReadUrl(body, create, Error);
        var eventTypes = ReadEventTypes(body, create, Error);
        var hasDescription = body.TryGetProperty("description", out _);
        var description = ReadDescription(body, Error);
        var enabled = ReadEnabled(body, Error);

        if (problems.Count > 0)
        {
            errors = problems.ToDictionary(x => x.Key, x => x.Value.ToArray());
            return null;
        }
        return new WebhookEndpointRequest(url, eventTypes, hasDescription, description, enabled);
    }

    /// <summary>What the values say that we refuse: unknown or no event types, a URL the address guard refuses. Empty when none.</summary>
    public async Task<Dictionary<string, string[]>> Refusals(WebhookAddressGuard guard, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (EventTypes is { Count: 0 })
            errors["event_types"] = [$"must name at least one event type: {string.Join(", ", WebhookEventTypes.All)}"];
        else if (EventTypes?.Where(t => !WebhookEventTypes.All.Contains(t)).ToList() is { Count: > 0 } unknown)
            errors["event_types"] = [$"has unknown event types ({string.Join(", ", unknown)}); known are {string.Join(", ", WebhookEventTypes.All)}"];
        if (Url is not null && await guard.CheckUrl(Url, cancellationToken) is { } refusal)
            errors["url"] = [refusal];
        return errors;
    }

    /// <summary>Fingerprint of a create request's meaning, to tell a retry from a different request (or a payment's) under the same key.</summary>
    public byte[] Fingerprint()
    {
        var sb = new StringBuilder("webhook-endpoint|");
        void Part(string? value) => sb.Append(value is null ? "-1" : value.Length.ToString()).Append(':').Append(value).Append('|');
        Part(Url);
        Part(Description);
        foreach (var type in EventTypes ?? [])
            Part(type);
        return SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    static string? ReadUrl(JsonElement body, bool required, Action<string, string> error)
    {
        if (!body.TryGetProperty("url", out var value))
        {
            if (required)
                error("url", "is required");
        }
        else if (value.ValueKind == JsonValueKind.Null)
            error("url", required ? "is required" : "must be a URL string, not null");
        else if (value.ValueKind != JsonValueKind.String)
            error("url", "must be a URL string");
        else if (value.GetString()!.Length is 0 or > MaxUrlLength)
            error("url", $"must be 1 to {MaxUrlLength} characters");
        else
            return value.GetString();
        return null;
    }

    static IReadOnlyList<string>? ReadEventTypes(JsonElement body, bool required, Action<string, string> error)
    {
        if (!body.TryGetProperty("event_types", out var value))
        {
            if (required)
                error("event_types", "is required");
        }
        else if (value.ValueKind == JsonValueKind.Null)
            error("event_types", required ? "is required" : "must be an array of event type strings, not null");
        else if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
            error("event_types", "must be an array of event type strings");
        else
            // A set: the same type twice subscribes once.
            return [.. value.EnumerateArray().Select(t => t.GetString()!).Distinct(StringComparer.Ordinal)];
        return null;
    }

    static string? ReadDescription(JsonElement body, Action<string, string> error)
    {
        if (!body.TryGetProperty("description", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            error("description", "must be a string");
        else if (value.GetString()!.Length > MaxDescriptionLength)
            error("description", $"must be at most {MaxDescriptionLength} characters");
        else if (value.GetString()!.Any(char.IsControl))
            error("description", "must not contain control characters");
        else
            return value.GetString();
        return null;
    }

    static bool? ReadEnabled(JsonElement body, Action<string, string> error)
    {
        if (!body.TryGetProperty("enabled", out var value))
            return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        error("enabled", "must be true or false");
        return null;
    }
}
