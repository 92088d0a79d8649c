namespace Payments.Api.Payments;

/// <summary>
/// The query parameters every keyset-paginated list takes (<c>GET /payments</c>, <c>GET /payments/{id}/events</c>), read
/// the same way: a bad value is named in <paramref name="errors"/> with the same message whichever list it came to.
/// </summary>
public static class PageQuery
{
    public delegate bool CursorDecoder<T>(string text, out T position);

    /// <summary>The page size: <see cref="ListPayments.DefaultLimit"/> when absent.</summary>
    public static int Limit(string? text, Dictionary<string, string[]> errors)
    {
        var pageSize = ListPayments.DefaultLimit;
        if (text is not null && (!int.TryParse(text, out pageSize) || pageSize is < 1 or > ListPayments.MaxLimit))
            errors["limit"] = [$"must be a whole number from 1 to {ListPayments.MaxLimit}"];
        return pageSize;
    }

    /// <summary>The position after which the page starts: null for the first page (or when the cursor is not ours).</summary>
    public static T? After<T>(string? cursor, CursorDecoder<T> decode, Dictionary<string, string[]> errors)
        where T : struct
    {
        if (cursor is null)
            return null;
        if (decode(cursor, out var position))
            return position;
        errors["cursor"] = ["is not a cursor returned by this API"];
        return null;
    }
}
