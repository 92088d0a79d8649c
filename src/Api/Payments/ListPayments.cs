using System.Buffers.Text;
using System.Text;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Contracts;
using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary><c>GET /payments</c>: the caller's payments, newest first, keyset-paginated by (created_at, id).</summary>
public static class ListPayments
{
    // Pages of a payment's history take the same limits.
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    public static readonly IReadOnlyList<string> Statuses = [PaymentStatus.Pending, PaymentStatus.Success, PaymentStatus.Failed];

    public static async Task<IResult> Handle(HttpContext http, PaymentQueries payments, CancellationToken cancellationToken,
        string? limit = null, string? cursor = null, string? status = null)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        var errors = new Dictionary<string, string[]>();
        var pageSize = PageQuery.Limit(limit, errors);
        var after = PageQuery.After<PaymentKey>(cursor, Cursor.TryDecode, errors);
        if (status is not null && !Statuses.Contains(status))
            errors["status"] = [$"must be one of {string.Join(", ", Statuses)}"];
        if (errors.Count > 0)
            return ApiProblems.Validation(errors);

        var rows = await payments.ListNewestFirst(userId, status, after, pageSize + 1, cancellationToken);

        var page = rows.Take(pageSize).Select(PaymentResponse.From).ToList();
        var next = rows.Count > pageSize ? Cursor.Encode(new PaymentKey(page[^1].CreatedAt, page[^1].Id)) : null;
        return TypedResults.Ok(new PaymentPage(page, next));
    }

    /// <summary>A page's position as clients see it: the last row's key, opaque (base64url of microseconds and id).</summary>
    public static class Cursor
    {
        static readonly long MaxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

        public static string Encode(PaymentKey key) =>
            Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{(key.CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}.{key.Id:N}"));

        public static bool TryDecode(string text, out PaymentKey key)
        {
            key = default;
            try
            {
                var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
                if (parts.Length != 2 || !long.TryParse(parts[0], out var micros) || !Guid.TryParseExact(parts[1], "N", out var id)
                    || micros < 0 || micros > MaxMicros)
                    return false;
                key = new PaymentKey(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
