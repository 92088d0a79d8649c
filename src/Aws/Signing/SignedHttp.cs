using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;

namespace Payments.Aws.Signing;

/// <summary>Sends a SigV4-signed POST to a service endpoint and turns failures into <see cref="AwsRequestException"/>.</summary>
internal sealed class SignedHttp(HttpClient http, AwsEndpointOptions endpoint, string service, AWSCredentials credentials)
{
    private readonly Uri _url = endpoint.ServiceUrl ?? new Uri($"https://{service}.{endpoint.Region}.amazonaws.com/");

    /// <summary>Returns the response body of a 2xx; otherwise throws what <paramref name="toError"/> makes of the response.</summary>
    public async Task<string> Post(byte[] body, string contentType, IEnumerable<KeyValuePair<string, string>> headers,
        Func<HttpStatusCode, string, AwsRequestException> toError, CancellationToken cancellationToken)
    {
        HttpStatusCode status;
        string responseBody;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            foreach (var (name, value) in headers)
                request.Headers.TryAddWithoutValidation(name, value);
            // Resolved per request: role and container credentials rotate.
            var current = await credentials.GetCredentialsAsync();
            SigV4Signer.Sign(request, body, endpoint.Region, service, current, DateTimeOffset.UtcNow);

            using var response = await http.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AwsRequestException(null, "NetworkError", e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsRequestException(null, "Timeout", e.Message, e);
        }

        if ((int)status is < 200 or > 299)
            throw toError(status, responseBody);
        return responseBody;
    }
}
