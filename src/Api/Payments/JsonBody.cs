using System.Buffers;
using System.Text.Json;
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

            try
            {
                var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
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
