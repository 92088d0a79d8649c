using System.Text;
using System.Text.Json;
using Payments.Aws.Http;
using Payments.Aws.Signing;

namespace Payments.Aws.SecretsManager;

/// <summary>Secrets Manager's <c>GetSecretValue</c> over its JSON 1.1 protocol; no Secrets Manager SDK package is available here.</summary>
public sealed class SecretsManagerClient(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "Payments.Aws.SecretsManager";
    readonly AwsServiceHttp _http = new(httpClients, HttpClientName);

    public async Task<string> GetSecretString(string secretId, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { SecretId = secretId }));
        var response = await _http.Post(body, "application/x-amz-json-1.1",
            [new("X-Amz-Target", "secretsmanager.GetSecretValue")], cancellationToken);
        using var document = JsonDocument.Parse(response);
        return document.RootElement.TryGetProperty("SecretString", out var secret) && secret.GetString() is { } value
            ? value
            : throw new AwsRequestException(System.Net.HttpStatusCode.OK, "NoSecretString", $"Secret {secretId} has no SecretString");
    }
}
