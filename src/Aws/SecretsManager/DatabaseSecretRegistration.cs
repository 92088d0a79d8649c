using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Aws.Http;
using Payments.Aws.Signing;

namespace Payments.Aws.SecretsManager;

/// <summary>A password kept in a secret: how to read it, and how often to read it again (the secret rotates).</summary>
public sealed record SecretPassword(Func<CancellationToken, ValueTask<string>> GetPassword, TimeSpan RefreshEvery);

/// <summary>
/// On AWS the database password stays in the RDS-managed secret (rotated by AWS) rather than in configuration:
/// <c>Payments:Database:PasswordSecretArn</c> names it, and the connection pool re-reads it periodically.
/// </summary>
public static class DatabaseSecretRegistration
{
    public const string SecretArnKey = "Payments:Database:PasswordSecretArn";
    public const string RegionKey = "Payments:Database:Region";
    public const string ServiceUrlKey = "Payments:Database:SecretsManagerServiceUrl";

    /// <summary>The password source the configuration names, or null when the connection string carries its own.</summary>
    public static SecretPassword? FromConfiguration(IConfiguration configuration)
    {
        var secretArn = configuration[SecretArnKey];
        if (string.IsNullOrWhiteSpace(secretArn))
            return null;
        var region = configuration[RegionKey] ?? Environment.GetEnvironmentVariable("AWS_REGION")
            ?? throw new InvalidOperationException($"{RegionKey} (or AWS_REGION) is required with {SecretArnKey}");
        var serviceUrl = configuration[ServiceUrlKey] is { Length: > 0 } url ? new Uri(url) : null;

        // The password is needed before the host's container exists (by the data source it builds, and by the migrate
        // verb, which has none), so the client gets a container of its own, kept for the life of the process.
        var services = new ServiceCollection().AddSingleton(configuration);
        services.AddSecretsManagerClient(_ => new AwsEndpointOptions { Region = region, ServiceUrl = serviceUrl });
        var client = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true })
            .GetRequiredService<SecretsManagerClient>();

        return new SecretPassword(async cancellationToken =>
        {
            // RDS-managed secrets hold {"username": …, "password": …}.
            using var secret = JsonDocument.Parse(await client.GetSecretString(secretArn, cancellationToken));
            return secret.RootElement.GetProperty("password").GetString()
                ?? throw new InvalidOperationException($"The secret {secretArn} has no password");
        }, TimeSpan.FromMinutes(10));
    }
}
