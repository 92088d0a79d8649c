using System.Net;
using System.Net.Http.Headers;
using Payments.Aws.Signing;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Payments.Aws.Http;

/// <summary>
/// POSTs to one AWS service through its named client (<see cref="AwsHttpClientRegistration"/>: signed per attempt,
/// retried, timed out, behind a circuit breaker) and turns every failure into an <see cref="AwsRequestException"/>.
/// The client is taken from the factory for each call, never kept: the factory rotates its handlers.
/// </summary>
internal sealed class AwsServiceHttp(IHttpClientFactory httpClients, string clientName)
{
    /// <summary>Returns the response body of a 2xx; otherwise throws what the error response says.</summary>
    public async Task<string> Post(byte[] body, string contentType, IEnumerable<KeyValuePair<string, string>> headers,
        CancellationToken cancellationToken)
    {
        HttpStatusCode status;
        string? errorType;
        string responseBody;
        try
        {
            var http = httpClients.CreateClient(clientName);
            using var request = new HttpRequestMessage(HttpMethod.Post, (Uri?)null) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            foreach (var (name, value) in headers)
                request.Headers.TryAddWithoutValidation(name, value);

            using var response = await http.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            errorType = AwsErrorResponse.HeaderCode(response);
            responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AwsRequestException(null, "NetworkError", e.Message, e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new AwsRequestException(null, "Timeout", e.Message, e);
        }
        catch (BrokenCircuitException e)
        {
            throw new AwsRequestException(null, "CircuitOpen", $"{clientName}: the circuit breaker is open after repeated failures ({e.Message})", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsRequestException(null, "Timeout", e.Message, e);
        }

        if ((int)status is < 200 or > 299)
            throw AwsErrorResponse.ToException(status, errorType, responseBody);
        return responseBody;
    }
}
