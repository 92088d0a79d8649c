using System.Text;

namespace Payments.Api.Payments;

/// <summary>A JSON response written byte for byte as stored, so an idempotent replay matches the original.</summary>
public sealed class StoredResponse(int status, string body, string? location, bool replayed) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (location is not null)
            response.Headers.Location = location;
        if (replayed)
            response.Headers["Idempotent-Replayed"] = "true";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
    }
}
