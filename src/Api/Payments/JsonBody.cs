using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;
using Payments.Api.Problems;

namespace Payments.Api.Payments;

/// <summary>Reads a size-limited JSON request body, answering 413, 415 or 400 instead of throwing.</summary>
public static class JsonBody
{
    public static bool HasJsonContentType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        && mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (mediaType.Charset.Length == 0 || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    // JsonDocument checks escapes lazily: a lone "\ud800" only fails when the string is read. Reading
    // every string once up front turns that into a 400 instead of an exception deep in validation.
    static bool HasOnlyValidStrings(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.String => element.GetString() is not null,
                JsonValueKind.Object => element.EnumerateObject().All(p => p.Name is not null && HasOnlyValidStrings(p.Value)),
                JsonValueKind.Array => element.EnumerateArray().All(HasOnlyValidStrings),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static async Task<(JsonDocument? Document, IResult? Problem)> Read(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
            return (null, ApiProblems.PayloadTooLarge(limit));

        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > limit)
                    return (null, ApiProblems.PayloadTooLarge(limit));
            }

            if (length == 0)
                return (null, ApiProblems.MalformedJson("The request body is empty."));

            if (!Utf8.IsValid(buffer.AsSpan(0, length)))
                return (null, ApiProblems.MalformedJson("The body is not valid UTF-8."));
            try
            {
                var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
                if (!HasOnlyValidStrings(document.RootElement))
                {
                    document.Dispose();
                    return (null, ApiProblems.MalformedJson("A string in the body is not valid Unicode (e.g. a lone surrogate escape)."));
                }
                return (document, null);
            }
            catch (JsonException e)
            {
                var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
                return (null, ApiProblems.MalformedJson($"The body could not be parsed as JSON{where}."));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
