using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Payments.Api.Auth;
using Payments.Api.Problems;
using Payments.Persistence.Payments;

namespace Payments.Api.Payments;

/// <summary>
/// <c>GET /payments/{id}/events</c>: the history of the caller's own payment, oldest first, keyset-paginated by the entry's
/// id; anyone else's payment is "not found", as for <c>GET /payments/{id}</c>.
/// </summary>
public static class ListPaymentEvents
{
    public static async Task<IResult> Handle(string id, HttpContext http, PaymentQueries payments, CancellationToken cancellationToken,
        string? limit = null, string? cursor = null)
    {
        if (http.User.UserId() is not { } userId)
            return ApiProblems.Unauthorized();

        var errors = new Dictionary<string, string[]>();
        if (!Guid.TryParse(id, out var paymentId))
            errors["id"] = ["must be a UUID"];
        var pageSize = PageQuery.Limit(limit, errors);
        var after = PageQuery.After<long>(cursor, Cursor.TryDecode, errors);
        if (errors.Count > 0)
            return ApiProblems.Validation(errors);

        var rows = await payments.ListHistory(userId, paymentId, after, pageSize + 1, cancellationToken);
        if (rows is null)
            return ApiProblems.NotFound();

        var page = rows.Take(pageSize).Select(PaymentEventResponse.From).ToList();
        var next = rows.Count > pageSize ? Cursor.Encode(page[^1].Id) : null;
        return TypedResults.Ok(new PaymentEventPage(page, next));
    }

    /// <summary>A page's position as clients see it: the last entry's id, opaque (base64url of its decimal digits).</summary>
    static class Cursor
    {
        public static string Encode(long id) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(id.ToString(CultureInfo.InvariantCulture)));

        public static bool TryDecode(string text, out long id)
        {
            id = 0;
            try
            {
                var digits = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
                return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
