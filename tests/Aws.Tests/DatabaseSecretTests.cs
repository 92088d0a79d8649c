using Microsoft.Extensions.Configuration;
using Payments.Aws.Http;
using Payments.Aws.SecretsManager;
using Payments.Aws.Signing;

namespace Payments.Aws.Tests;

/// <summary>The database password comes from the RDS-managed secret, fetched with a signed GetSecretValue.</summary>
public class DatabaseSecretTests : IAsyncLifetime
{
    const string SecretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234";
    SigV4VerifyingServer _server = null!;
    readonly AwsClients _clients = new();

    public async Task InitializeAsync()
    {
        _server = await SigV4VerifyingServer.Start();
        _server.Respond = request => Task.FromResult(request.Header("X-Amz-Target") == "secretsmanager.GetSecretValue"
                                                     && request.Body.Contains(SecretArn)
            ? new CannedResponse(200, "application/x-amz-json-1.1",
                """{"ARN":"x","Name":"rds!db-1234","SecretString":"{\"username\":\"payments\",\"password\":\"s3cr3t-from-aws\"}"}""")
            : new CannedResponse(400, "application/x-amz-json-1.1",
                """{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","message":"no such secret"}"""));
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_password_source_reads_the_password_out_of_the_secret_with_a_signed_request()
    {
        var client = _clients.Build<SecretsManagerClient>(AwsHttpClientRegistration.AddSecretsManagerClient, _server.Url);

        var secret = await client.GetSecretString(SecretArn, CancellationToken.None);

        Assert.Contains("s3cr3t-from-aws", secret);
        var request = Assert.Single(_server.Requests);
        Assert.Contains("/eu-west-1/secretsmanager/aws4_request", request.Header("Authorization"));
        var missing = await Assert.ThrowsAsync<AwsRequestException>(() => client.GetSecretString("arn:unknown", CancellationToken.None));
        Assert.Equal("ResourceNotFoundException", missing.Code);
        Assert.False(missing.IsTransient);
    }

    [Fact]
    public async Task Configuration_naming_a_secret_yields_the_password_and_no_secret_yields_nothing()
    {
        Assert.Null(DatabaseSecretRegistration.FromConfiguration(new ConfigurationBuilder().Build()));

        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", SigV4VerifyingServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SigV4VerifyingServer.SecretKey);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [DatabaseSecretRegistration.SecretArnKey] = SecretArn,
                [DatabaseSecretRegistration.RegionKey] = "eu-west-1",
                [DatabaseSecretRegistration.ServiceUrlKey] = _server.Url.ToString(),
            }).Build();

            var source = DatabaseSecretRegistration.FromConfiguration(configuration)!;

            Assert.Equal("s3cr3t-from-aws", await source.GetPassword(CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
        }
    }
}
